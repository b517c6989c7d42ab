import { formatDuration } from "../duration.ts";
import type { AgentConfig, TemplateStanza } from "./types.ts";
import { SHELL } from "./values.ts";

/**
 * Renders an AgentConfig in Vault Agent's JSON form, the form the webhook
 * writes into pods: durations as Go strings ("5m0s"), file modes as octal
 * strings ("0640"), sinks and templates as lists, methods and sinks with a
 * `type` key, env_template as a map from variable name to block. A command
 * that runs through the shell is written back as the string it came from.
 * parseAgentConfigJson(JSON.stringify(toJson(c))) gives c back.
 */
export function toJson(config: AgentConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.vault) out.vault = durations({ ...config.vault }, "timeout");
  if (config.auto_auth) {
    const { method, sinks } = config.auto_auth;
    out.auto_auth = {
      method: durations({ ...method }, "min_backoff", "max_backoff"),
      sink: sinks.map((s) => ({
        ...durations({ ...s }, "wrap_ttl"),
        config: modes({ ...s.config }, "mode"),
      })),
    };
  }
  if (config.template.length > 0) out.template = config.template.map(template);
  if (config.template_config) {
    out.template_config = durations({ ...config.template_config }, "static_secret_render_interval");
  }
  if (config.exec) out.exec = durations({ ...config.exec }, "restart_kill_grace");
  if (config.env_template.length > 0) {
    out.env_template = Object.fromEntries(
      config.env_template.map(({ name, ...body }) => [name, body]),
    );
  }
  out.exit_after_auth = config.exit_after_auth;
  if (config.pid_file !== undefined) out.pid_file = config.pid_file;
  if (config.listener.length > 0) out.listener = config.listener.map((l) => ({ ...l }));
  if (config.cache) out.cache = { ...config.cache };
  if (config.log_level !== undefined) out.log_level = config.log_level;
  if (config.log_format !== undefined) out.log_format = config.log_format;
  if (config.vaultlet) out.vaultlet = durations({ ...config.vaultlet }, "startup_jitter");
  return out;
}

function template(t: TemplateStanza): Record<string, unknown> {
  const out: Record<string, unknown> = durations(modes({ ...t }, "perms"), "command_timeout");
  if (t.command) out.command = commandJson(t.command);
  if (t.exec) out.exec = durations({ ...t.exec, command: commandJson(t.exec.command) }, "timeout");
  if (t.wait) out.wait = durations({ ...t.wait }, "min", "max");
  if (t.signal) out.signal = { ...t.signal };
  return out;
}

/** ["/bin/sh", "-c", "x"] goes back to "x", the form every Vault Agent version reads. */
function commandJson(argv: string[]): string | string[] {
  const shell = argv.length === 3 && argv[0] === SHELL[0] && argv[1] === SHELL[1];
  return shell ? argv[2]! : [...argv];
}

function durations<T extends object>(obj: T, ...keys: string[]): T {
  const rec = obj as Record<string, unknown>;
  for (const k of keys) if (typeof rec[k] === "number") rec[k] = formatDuration(rec[k]);
  return obj;
}

function modes<T extends object>(obj: T, ...keys: string[]): T {
  const rec = obj as Record<string, unknown>;
  for (const k of keys) {
    if (typeof rec[k] === "number") rec[k] = `0${rec[k].toString(8).padStart(3, "0")}`;
  }
  return obj;
}
