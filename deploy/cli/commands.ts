import { readFile } from "node:fs/promises";
import { dispatch, SUMMARIES, type Program } from "./dispatch.ts";

export { normalizeFlags } from "./dispatch.ts";

/** `vaultlet` run from the sources: every command. */
export const SOURCE_PROGRAM: Program = {
  name: "vaultlet",
  version: async () => {
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    return String(pkg.version);
  },
  commands: {
    webhook: { summary: SUMMARIES.webhook, load: () => import("../../webhook/cli.ts") },
    inject: { summary: SUMMARIES.inject, load: () => import("../../webhook/inject/cli.ts") },
    agent: { summary: SUMMARIES.agent, load: () => import("../../agent/cli.ts") },
    doctor: { summary: SUMMARIES.doctor, load: () => import("../../agent/doctor/cli.ts") },
  },
};

export function runCli(argv: string[]): Promise<number> {
  return dispatch(SOURCE_PROGRAM, argv);
}
