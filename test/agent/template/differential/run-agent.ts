/**
 * Runs an agent binary (the reference `bao agent`, or `vaultlet agent`) once
 * over the corpus config in its own working directory and collects what it
 * rendered, by corpus file name.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnTracked } from "../../../support/processes.ts";
import { OUTPUT_DIR } from "./agent-config.ts";
import type { CorpusEntry } from "./corpus.ts";
import { finished } from "node:stream/promises";
import { setTimeout as delay } from "node:timers/promises";

const AGENT_TIMEOUT_MS = 120_000;
/** how long the log may keep arriving after the agent exited */
const STREAM_END_MS = 10_000;

export interface AgentRun {
  /** rendered bytes per corpus file name (absent when the agent wrote nothing) */
  outputs: Map<string, string>;
  exitCode: number | null;
  log: string;
}

export interface RunAgentOptions {
  /** the executable and the arguments before -config */
  command: string;
  args: string[];
  /** working directory: receives config.hcl and out/ */
  dir: string;
  configHcl: string;
  env: Record<string, string>;
  entries: readonly CorpusEntry[];
}

export async function runAgentOnce(options: RunAgentOptions): Promise<AgentRun> {
  mkdirSync(join(options.dir, OUTPUT_DIR), { recursive: true });
  const configFile = join(options.dir, "config.hcl");
  writeFileSync(configFile, options.configHcl);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // the agent must use the config file's address and token, nothing inherited
    if (!/^(VAULT|BAO)_/.test(k)) env[k] = v;
  }
  Object.assign(env, options.env);
  const child = spawnTracked(options.command, [...options.args, `-config=${configFile}`], {
    env,
    cwd: options.dir,
  });
  const timer = setTimeout(() => void child.stop("SIGKILL"), AGENT_TIMEOUT_MS);
  await child.exited();
  clearTimeout(timer);
  // "exit" can come before the last of the log is read (seen under load: the
  // error line was missing), so the log is read to its end, within a bound
  await Promise.all(
    [child.child.stdout, child.child.stderr].map((s) =>
      s
        ? Promise.race([
            finished(s).catch(() => undefined),
            delay(STREAM_END_MS, undefined, { ref: false }),
          ])
        : undefined,
    ),
  );
  const outputs = new Map<string, string>();
  for (const entry of options.entries) {
    const file = join(options.dir, OUTPUT_DIR, entry.name);
    // latin1: one character per byte, so comparisons are byte for byte (Go strings may hold invalid UTF-8)
    if (existsSync(file)) outputs.set(entry.name, readFileSync(file, "latin1"));
  }
  return { outputs, exitCode: child.child.exitCode, log: child.output() };
}
