import * as v from "./values.ts";
import { unknownKey, type BlockSchema, type Field, type Walk, type Where } from "./walk.ts";

/**
 * The Vault Agent config schema as a table: key -> parser, required,
 * default. Keys Vault Agent accepts that vaultlet does not implement are
 * listed as ignored (a warning, never silence); anything else is an error.
 * vaultlet's own keys are marked "vaultlet extension".
 */

const str: Field = { parse: v.string };
const bool: Field = { parse: v.bool };
const duration: Field = { parse: v.duration };
const ignored: Field = { ignored: true };
const requiredStr: Field = { parse: v.string, required: true };

function ignoredKeys(...keys: string[]): Record<string, Field> {
  return Object.fromEntries(keys.map((k) => [k, ignored]));
}

/** Auth methods vaultlet logs in with, and the settings each takes. */
export const METHOD_CONFIG: Record<string, BlockSchema> = {
  kubernetes: { fields: { role: requiredStr, token_path: str } },
  jwt: {
    fields: {
      path: requiredStr,
      role: requiredStr,
      remove_jwt_after_reading: bool,
      remove_jwt_follows_symlinks: bool,
    },
  },
  approle: {
    fields: {
      role_id_file_path: requiredStr,
      secret_id_file_path: str,
      remove_secret_id_file_after_reading: bool,
      secret_id_response_wrapping_path: str,
    },
  },
  token_file: { fields: { token_file_path: requiredStr } },
};

/** Auth methods Vault Agent has that vaultlet does not log in with (yet). */
const OTHER_VAULT_METHODS = [
  "alicloud",
  "aws",
  "azure",
  "cert",
  "cf",
  "gcp",
  "kerberos",
  "ldap",
  "oci",
  "userpass",
];

const method: BlockSchema = {
  label: "type",
  fields: {
    type: requiredStr,
    mount_path: str,
    namespace: str,
    config: { parse: v.map },
    min_backoff: duration,
    max_backoff: duration,
    exit_on_err: { parse: v.bool, default: false },
    ...ignoredKeys("wrap_ttl", "max_jitter"),
  },
  check(out, where, walk) {
    if (typeof out.type !== "string") return;
    const type = out.type.toLowerCase();
    out.type = type;
    out.mount_path = ((out.mount_path as string | undefined) ?? `auth/${type}`).replace(/\/+$/, "");
    const config = (out.config as Record<string, unknown> | undefined) ?? {};
    const schema = Object.hasOwn(METHOD_CONFIG, type) ? METHOD_CONFIG[type] : undefined;
    if (schema) out.config = walk.body(config, schema, where.key("config"));
    else if (OTHER_VAULT_METHODS.includes(type)) {
      out.config = config;
      walk.warn(where.key("type"), `auth method "${type}" is not implemented by vaultlet`);
    } else {
      const known = [...Object.keys(METHOD_CONFIG), ...OTHER_VAULT_METHODS];
      walk.problem(where.key("type"), unknownKey(type, known).replace("key", "auth method"));
    }
    if (
      typeof out.min_backoff === "number" &&
      typeof out.max_backoff === "number" &&
      out.min_backoff > out.max_backoff
    ) {
      walk.problem(where.key("min_backoff"), "must not be greater than max_backoff");
    }
  },
};

const fileSinkConfig: BlockSchema = { fields: { path: requiredStr, mode: { parse: v.mode } } };

const sink: BlockSchema = {
  label: "type",
  fields: {
    type: requiredStr,
    config: { parse: v.map },
    wrap_ttl: duration,
    dh_type: { parse: v.oneOf("curve25519") },
    dh_path: str,
    aad: str,
    derive_key: bool,
    ...ignoredKeys("aad_env_var"),
  },
  check(out, where, walk) {
    if (out.type === "file") {
      const config = (out.config as Record<string, unknown> | undefined) ?? {};
      out.config = walk.body(config, fileSinkConfig, where.key("config"));
    } else if (typeof out.type === "string") {
      out.config ??= {};
      walk.warn(where.key("type"), `sink type "${out.type}" is not implemented by vaultlet`);
    }
    if ((out.dh_type === undefined) !== (out.dh_path === undefined)) {
      walk.problem(where, "dh_type and dh_path must be set together");
    }
  },
};

const autoAuth: BlockSchema = {
  fields: {
    method: { block: method, required: true },
    sink: { list: sink },
    ...ignoredKeys("enable_reauth_on_new_credentials"),
  },
  check(out) {
    // The typed config calls the list `sinks`; Vault's key is `sink`.
    out.sinks = out.sink ?? [];
    delete out.sink;
  },
};

const vault: BlockSchema = {
  fields: {
    address: { parse: v.url },
    ca_cert: str,
    ca_path: str,
    client_cert: str,
    client_key: str,
    tls_skip_verify: bool,
    tls_server_name: str,
    namespace: str,
    timeout: duration,
    retry: { block: { fields: { num_retries: { parse: v.int } } } },
  },
};

const wait: BlockSchema = { fields: { min: duration, max: duration } };

const templateExec: BlockSchema = {
  fields: {
    command: { parse: v.command, required: true },
    timeout: duration,
    ...ignoredKeys("env", "splay", "reload_signal", "kill_signal", "kill_timeout"),
  },
};

/** vaultlet extension: signal a process in the pod after a change. */
const signalAction: BlockSchema = {
  fields: { signal: { parse: v.signal, required: true }, process_name: str, pid_file: str },
  check(out, where, walk) {
    if ((out.process_name === undefined) === (out.pid_file === undefined)) {
      walk.problem(where, "set exactly one of process_name and pid_file");
    }
  },
};

const engine: Field = { parse: v.oneOf("go", "handlebars") };

function exactlyOne(a: string, b: string) {
  // Judged on the keys written, so a mistyped value is reported once, as mistyped.
  return (
    out: Record<string, unknown>,
    where: Where,
    walk: Walk,
    body: Record<string, unknown>,
  ) => {
    // An empty string counts as unset, as in Vault Agent (the injector
    // writes "contents": "" beside "source" for template files).
    const has = (k: string) => body[k] !== undefined && body[k] !== null && body[k] !== "";
    for (const k of [a, b]) if (out[k] === "" && has(a) !== has(b)) delete out[k];
    if (has(a) && has(b)) {
      walk.problem(where, `set exactly one of ${a} and ${b}, not both`);
    } else if (!has(a) && !has(b)) {
      walk.problem(where, `set one of ${a} (inline text) or ${b} (a file path)`);
    }
  };
}

const template: BlockSchema = {
  fields: {
    contents: str,
    source: str,
    destination: requiredStr,
    create_dest_dirs: { parse: v.bool, default: true },
    perms: { parse: v.mode },
    command: { parse: v.command },
    command_timeout: duration,
    exec: { block: templateExec },
    error_on_missing_key: { parse: v.bool, default: false },
    left_delimiter: str,
    right_delimiter: str,
    backup: bool,
    wait: { block: wait, fromString: v.waitString },
    engine,
    signal: { block: signalAction },
    ...ignoredKeys(
      "error_fatal",
      "user",
      "group",
      "uid",
      "gid",
      "sandbox_path",
      "function_denylist",
      "function_blacklist",
    ),
  },
  check: exactlyOne("contents", "source"),
};

const notInEnvTemplate = (key: string): Field => ({
  forbidden: `not allowed in env_template (it renders into an environment variable, not a file): remove ${key}`,
});

const envTemplate: BlockSchema = {
  label: "name",
  fields: {
    name: requiredStr,
    contents: str,
    source: str,
    error_on_missing_key: { parse: v.bool, default: false },
    left_delimiter: str,
    right_delimiter: str,
    engine,
    ...ignoredKeys("error_fatal", "function_denylist", "function_blacklist"),
    ...Object.fromEntries(
      [
        "destination",
        "perms",
        "command",
        "command_timeout",
        "create_dest_dirs",
        "exec",
        "backup",
        "wait",
      ].map((k) => [k, notInEnvTemplate(k)]),
    ),
  },
  check(out, where, walk, body) {
    exactlyOne("contents", "source")(out, where, walk, body);
    if (typeof out.name === "string" && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(out.name)) {
      walk.problem(where, `"${out.name}" is not a valid environment variable name`);
    }
  },
};

const templateConfig: BlockSchema = {
  fields: {
    exit_on_retry_failure: bool,
    static_secret_render_interval: duration,
    max_connections_per_host: { parse: v.int },
    lease_renewal_threshold: { parse: v.number },
  },
  check(out, where, walk) {
    const t = out.lease_renewal_threshold;
    if (typeof t === "number" && !(t > 0 && t <= 1)) {
      walk.problem(
        where.key("lease_renewal_threshold"),
        "must be a fraction above 0 and at most 1",
      );
    }
  },
};

const exec: BlockSchema = {
  fields: {
    command: { parse: v.argv, required: true },
    restart_on_secret_changes: { parse: v.oneOf("always", "never"), default: "always" },
    restart_stop_signal: { parse: v.signal, default: "SIGTERM" },
    /** vaultlet extension */
    restart_kill_grace: duration,
    /** vaultlet extension */
    change_signal: { parse: v.signal },
  },
};

export const DEFAULT_LISTENER_ADDRESS = "127.0.0.1:8200";

const listener: BlockSchema = {
  label: "type",
  fields: {
    type: { parse: v.oneOf("tcp", "unix"), required: true },
    address: str,
    tls_disable: { parse: v.bool, default: false },
    tls_cert_file: str,
    tls_key_file: str,
    ...ignoredKeys(
      "role",
      "tls_min_version",
      "tls_max_version",
      "tls_cipher_suites",
      "tls_client_ca_file",
      "tls_require_and_verify_client_cert",
      "tls_disable_client_certs",
      "require_request_header",
      "agent_api",
      "telemetry",
      "profiling",
      "proxy_api",
      "max_request_size",
      "max_request_duration",
      "socket_mode",
      "socket_user",
      "socket_group",
    ),
  },
  check(out, where, walk) {
    if (out.address === undefined) {
      if (out.type === "tcp") out.address = DEFAULT_LISTENER_ADDRESS;
      else if (out.type === "unix")
        walk.problem(where.key("address"), "required for a unix listener");
    }
    if (
      out.tls_disable === false &&
      (out.tls_cert_file === undefined || out.tls_key_file === undefined)
    ) {
      walk.problem(where, "tls_cert_file and tls_key_file are required unless tls_disable = true");
    }
  },
};

const cache: BlockSchema = {
  fields: {
    use_auto_auth_token: { parse: v.autoAuthToken },
    ...ignoredKeys(
      "persist",
      "enforce_consistency",
      "when_inconsistent",
      "cache_static_secrets",
      "disable_caching_dynamic_secrets",
      "static_secret_token_capability_refresh_interval",
      "static_secret_token_capability_refresh_behavior",
    ),
  },
};

/** vaultlet extension: the agent's own endpoint and shutdown behaviour. */
const vaultlet: BlockSchema = {
  fields: {
    listen: str,
    revoke_on_shutdown: bool,
    startup_jitter: duration,
    allow_functions: { parse: v.allowFunctions },
  },
};

export const ROOT: BlockSchema = {
  fields: {
    vault: { block: vault },
    auto_auth: { block: autoAuth },
    template: { list: template },
    template_config: { block: templateConfig },
    exec: { block: exec },
    env_template: { list: envTemplate },
    exit_after_auth: { parse: v.bool, default: false },
    pid_file: str,
    listener: { list: listener },
    cache: { block: cache },
    log_level: str,
    log_format: str,
    vaultlet: { block: vaultlet },
    ...ignoredKeys(
      "api_proxy",
      "telemetry",
      "log_file",
      "log_rotate_bytes",
      "log_rotate_duration",
      "log_rotate_max_files",
      "disable_mlock",
      "disable_idle_connections",
      "disable_keep_alives",
    ),
  },
  check(out) {
    // Lists are always present in the typed config, even when empty.
    out.template ??= [];
    out.env_template ??= [];
    out.listener ??= [];
  },
};
