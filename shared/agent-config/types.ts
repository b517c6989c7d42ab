/**
 * The Vault Agent config schema as vaultlet understands it, after parsing and
 * validation: the contract between the webhook (which writes it) and the agent
 * (which reads it). Field names are Vault Agent's own (snake_case), so a config
 * written for Vault Agent reads the same here. Durations are milliseconds.
 * Keys marked "vaultlet extension" are ours and documented as such.
 */

export interface AgentConfig {
  vault?: VaultStanza;
  auto_auth?: AutoAuth;
  template: TemplateStanza[];
  template_config?: TemplateConfig;
  exec?: ExecStanza;
  env_template: EnvTemplateStanza[];
  exit_after_auth: boolean;
  pid_file?: string;
  listener: ListenerStanza[];
  cache?: CacheStanza;
  log_level?: string;
  log_format?: string;
  /** vaultlet extension: the agent's own HTTP endpoint (/ready, /health, /metrics). */
  vaultlet?: VaultletStanza;
}

export interface VaultStanza {
  address?: string;
  ca_cert?: string;
  ca_path?: string;
  client_cert?: string;
  client_key?: string;
  tls_skip_verify?: boolean;
  tls_server_name?: string;
  namespace?: string;
  /** milliseconds */
  timeout?: number;
  retry?: { num_retries?: number };
}

export interface AutoAuth {
  method: AuthMethod;
  sinks: Sink[];
}

export interface AuthMethod {
  /** kubernetes | jwt | approle | token_file | ... */
  type: string;
  /** e.g. "auth/kubernetes"; defaults to "auth/<type>" */
  mount_path: string;
  namespace?: string;
  /** method-specific settings (role, token_path, path, role_id_file_path, ...) */
  config: Record<string, unknown>;
  /** milliseconds; Vault Agent defaults 1s and 5m */
  min_backoff?: number;
  max_backoff?: number;
  exit_on_err: boolean;
}

export interface Sink {
  /** "file" is the one sink Vault Agent ships */
  type: string;
  /** mode: file mode bits, e.g. 0o640 */
  config: { path: string; mode?: number } & Record<string, unknown>;
  /** milliseconds */
  wrap_ttl?: number;
  dh_type?: string;
  dh_path?: string;
  aad?: string;
  derive_key?: boolean;
}

export interface TemplateStanza {
  /** inline template text; exactly one of contents and source */
  contents?: string;
  /** path of a template file */
  source?: string;
  destination: string;
  create_dest_dirs: boolean;
  /** file mode bits, e.g. 0o640 */
  perms?: number;
  /**
   * run after the file changes, as argv. A string in the config (Vault's
   * form) runs through the shell: "a && b" becomes ["/bin/sh", "-c", "a && b"].
   */
  command?: string[];
  /** milliseconds; Vault Agent default 30s */
  command_timeout?: number;
  exec?: { command: string[]; timeout?: number };
  error_on_missing_key: boolean;
  left_delimiter?: string;
  right_delimiter?: string;
  backup?: boolean;
  wait?: { min?: number; max?: number };
  /** vaultlet extension: "go" (default, consul-template dialect) or "handlebars" */
  engine?: "go" | "handlebars";
  /** vaultlet extension: signal a process in the pod after a change, no shell needed */
  signal?: SignalAction;
}

export interface SignalAction {
  /** e.g. "SIGHUP" */
  signal: string;
  /** find the process by executable/command name (shared process namespace) */
  process_name?: string;
  /** or by a pid file */
  pid_file?: string;
}

export interface TemplateConfig {
  exit_on_retry_failure?: boolean;
  /** milliseconds; default 5m */
  static_secret_render_interval?: number;
  max_connections_per_host?: number;
  /** fraction, default 0.9 */
  lease_renewal_threshold?: number;
}

export interface ExecStanza {
  command: string[];
  /** default "always" */
  restart_on_secret_changes: "always" | "never";
  /** a signal name such as "SIGTERM" (the default) */
  restart_stop_signal: string;
  /** vaultlet extension: milliseconds between stop signal and SIGKILL */
  restart_kill_grace?: number;
  /** vaultlet extension: signal the child instead of restarting it */
  change_signal?: string;
}

export interface EnvTemplateStanza {
  /** the environment variable's name (the HCL block label) */
  name: string;
  /** inline template text; exactly one of contents and source */
  contents?: string;
  /** path of a template file */
  source?: string;
  error_on_missing_key: boolean;
  left_delimiter?: string;
  right_delimiter?: string;
  engine?: "go" | "handlebars";
}

export interface ListenerStanza {
  /** tcp | unix */
  type: string;
  /** default "127.0.0.1:8200" for tcp */
  address: string;
  tls_disable: boolean;
  tls_cert_file?: string;
  tls_key_file?: string;
}

export interface CacheStanza {
  /** true, false or "force" (Vault's three accepted values) */
  use_auto_auth_token?: boolean | "force";
}

export interface VaultletStanza {
  /** address of the ops endpoint, e.g. "127.0.0.1:8201"; none (the default) or "" opens no port */
  listen?: string;
  /** revoke the token and leases on SIGTERM (the reference never does) */
  revoke_on_shutdown?: boolean;
  /**
   * milliseconds: the longest random wait before the first login; default 0
   * (none, as in Vault Agent). Fleets started in the same instant set it so
   * their logins spread out.
   */
  startup_jitter?: number;
  /**
   * template functions that reach outside the template (writeToFile, plugin),
   * each allowed by name; none by default (deploy/docs/threat-model.md)
   */
  allow_functions?: Array<"writeToFile" | "plugin">;
}
