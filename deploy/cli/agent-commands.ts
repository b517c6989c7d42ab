import type { Command, Program } from "./dispatch.ts";
import { version } from "./version.ts";

/**
 * The agent's half of the command table (./commands.ts). A file of its own
 * because a bundler keeps every module a reachable `import()` names: the
 * agent image's entry imports this half only, so no webhook module ships in it.
 */
export const AGENT_COMMANDS: Readonly<Record<"agent" | "doctor", Command>> = {
  agent: {
    summary: "run the agent (-config=FILE; Vault Agent config, HCL or JSON)",
    load: () => import("../../agent/cli.ts"),
  },
  doctor: {
    summary: "explain a failed login from the token's claims and Vault's answer",
    load: () => import("../../agent/doctor/cli.ts"),
  },
};

export const AGENT_IMAGE: Program = { name: "the agent image", version, commands: AGENT_COMMANDS };
