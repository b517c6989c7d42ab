import { writeFileSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  loadAgentConfig,
  mergeConfigs,
  parseAgentConfigJson,
  type AgentConfig,
  type LoadedConfig,
} from "../shared/agent-config/index.ts";
import { ALLOWABLE_FUNCTIONS, type AllowableFunction } from "../shared/agent-config/values.ts";
import { VaultletError } from "../shared/errors.ts";
import { createLogger } from "../shared/log.ts";
import { runAgent } from "./runner/agent.ts";

const USAGE = `usage: vaultlet agent -config=FILE [-config=FILE ...] [-config-env=VAR] [-log-level=LEVEL]
                      [-allow-function=NAME ...]

  -config=FILE          Vault Agent config, HCL or JSON (a file or a directory); repeatable
  -config-env=VAR       a JSON config, base64-encoded, in environment variable VAR; repeatable
  -log-level=LEVEL      trace, debug, info, warn or error (overrides log_level)
  -allow-function=NAME  let templates call writeToFile or plugin (off by default; see
                        deploy/docs/threat-model.md); repeatable, one function each; adds to
                        the config's vaultlet { allow_functions }

exit_after_auth = true renders once and exits (0 on success, 1 with the reason);
otherwise the agent runs until SIGTERM.
`;

/** `vaultlet agent`: the sidecar, init container and CI agent. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", multiple: true },
        "config-env": { type: "string", multiple: true },
        "log-level": { type: "string" },
        "allow-function": { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    throw new VaultletError("USAGE", `${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const files = values.config ?? [];
  const envs = values["config-env"] ?? [];
  if (files.length === 0 && envs.length === 0) {
    throw new VaultletError(
      "USAGE",
      `give at least one -config=FILE or -config-env=VAR\n\n${USAGE}`,
    );
  }
  const loaded = await loadConfigs(files, envs);
  const config = withAllowedFunctions(loaded.config, values["allow-function"] ?? []);
  const format = config.log_format === "standard" ? "standard" : "json";
  const log = createLogger({
    level: values["log-level"] ?? config.log_level ?? "info",
    format,
    name: "vaultlet-agent",
  });
  for (const w of loaded.warnings) log.warn({ warning: w }, "config warning");

  const stop = new Promise<NodeJS.Signals>((resolve) => {
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      process.once(sig, () => {
        log.info({ signal: sig }, "stopping");
        resolve(sig);
      });
    }
  });
  if (config.pid_file) writeFileSync(config.pid_file, `${process.pid}\n`, { mode: 0o644 });
  try {
    return await runAgent(config, { log, env: process.env }, stop);
  } finally {
    if (config.pid_file) rmSync(config.pid_file, { force: true });
    log.flush();
  }
}

/**
 * Files first, then environment variables, merged in that order. The
 * webhook passes the config in an env var so the agent container needs no
 * shell and no config volume.
 */
async function loadConfigs(files: string[], envs: string[]): Promise<LoadedConfig> {
  const parts: LoadedConfig[] = [];
  if (files.length) parts.push(await loadAgentConfig(files));
  for (const name of envs) parts.push(parseAgentConfigJson(decodeEnv(name), `$${name}`));
  const config = parts
    .slice(1)
    .reduce<AgentConfig>((acc, p) => mergeConfigs(acc, p.config), parts[0]!.config);
  return { config, warnings: parts.flatMap((p) => p.warnings) };
}

/** -allow-function names join the config's vaultlet.allow_functions (checked by the same parser). */
function withAllowedFunctions(config: AgentConfig, names: string[]): AgentConfig {
  if (names.length === 0) return config;
  const bad = names.find((n) => !(ALLOWABLE_FUNCTIONS as readonly string[]).includes(n));
  if (bad !== undefined) {
    throw new VaultletError(
      "USAGE",
      `-allow-function=${bad}: not a function that can be allowed; use writeToFile or plugin\n\n${USAGE}`,
    );
  }
  const allowed = names as AllowableFunction[];
  const merged = new Set([...(config.vaultlet?.allow_functions ?? []), ...allowed]);
  return { ...config, vaultlet: { ...config.vaultlet, allow_functions: [...merged] } };
}

function decodeEnv(name: string): string {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") {
    throw new VaultletError(
      "USAGE",
      `-config-env=${name}: the environment variable ${name} is not set`,
    );
  }
  const text = Buffer.from(raw.trim(), "base64").toString("utf8");
  if (!text.trimStart().startsWith("{")) {
    throw new VaultletError(
      "AGENT_CONFIG_INVALID",
      `-config-env=${name}: the value is not base64-encoded JSON (decoded text does not start with "{")`,
    );
  }
  return text;
}
