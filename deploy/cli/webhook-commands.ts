import type { Command, Program } from "./dispatch.ts";
import { version } from "./version.ts";

/** The webhook's half of the command table (./commands.ts); no agent module ships with it. */
export const WEBHOOK_COMMANDS: Readonly<Record<"webhook" | "inject", Command>> = {
  webhook: {
    summary: "run the mutating admission webhook server",
    load: () => import("../../webhook/cli.ts"),
  },
  inject: {
    summary: "inject the agent into Kubernetes manifests offline (-f FILE, -f - for stdin)",
    load: () => import("../../webhook/inject/cli.ts"),
  },
};

export const WEBHOOK_IMAGE: Program = {
  name: "the webhook image",
  version,
  commands: WEBHOOK_COMMANDS,
};
