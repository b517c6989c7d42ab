import type { AgentConfig } from "./types.ts";

/**
 * Merges two configs the way Vault Agent merges several config files
 * (several -config flags, or the files of a config directory, in order):
 * - template, env_template and listener lists are appended;
 * - a block given in the later file (vault, auto_auth, template_config,
 *   exec, cache, vaultlet) replaces the earlier block whole, keys are not
 *   mixed between files;
 * - a scalar given in the later file wins (pid_file, log_level, log_format);
 * - exit_after_auth is true when any file sets it.
 */
export function mergeConfigs(a: AgentConfig, b: AgentConfig): AgentConfig {
  const out: AgentConfig = {
    ...a,
    template: [...a.template, ...b.template],
    env_template: [...a.env_template, ...b.env_template],
    listener: [...a.listener, ...b.listener],
    exit_after_auth: a.exit_after_auth || b.exit_after_auth,
  };
  const later = [
    "vault",
    "auto_auth",
    "template_config",
    "exec",
    "cache",
    "vaultlet",
    "pid_file",
    "log_level",
    "log_format",
  ] as const;
  for (const key of later) {
    if (b[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = b[key];
  }
  return out;
}
