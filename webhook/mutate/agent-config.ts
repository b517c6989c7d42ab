import { formatDuration } from "../../shared/duration.ts";
import type { InjectionSpec, SecretSpec } from "../annotations/spec.ts";
import {
  CACHE_PATH,
  OPS_PORT,
  PID_FILE,
  TOKEN_FILE,
  TOKEN_MOUNT_PATH,
  TOKEN_SINK_PATH,
} from "./names.ts";

/**
 * The agent config the webhook generates, in Vault Agent's own JSON form
 * (what `vault agent -config=x.json` reads), so anyone who knows Vault Agent
 * can read it and the same JSON runs under either agent. Keys under
 * `vaultlet` and a template's `engine` are vaultlet extensions.
 */
export interface VaultAgentJson {
  auto_auth: {
    method: {
      type: string;
      mount_path?: string;
      namespace?: string;
      config: Record<string, unknown>;
      min_backoff?: string;
      max_backoff?: string;
      exit_on_err?: boolean;
    };
    sink: Array<{ type: "file"; config: { path: string } }>;
  };
  exit_after_auth: boolean;
  pid_file: string;
  vault: {
    address: string;
    ca_cert?: string;
    ca_path?: string;
    tls_skip_verify?: boolean;
    client_cert?: string;
    client_key?: string;
    tls_server_name?: string;
  };
  template?: TemplateJson[];
  listener?: Array<{
    type: "tcp";
    address: string;
    tls_disable: boolean;
    agent_api?: { enable_quit: boolean };
  }>;
  cache?: {
    use_auto_auth_token?: string;
    persist?: { type: "kubernetes"; path: string; exit_on_err?: boolean };
  };
  template_config?: {
    exit_on_retry_failure: boolean;
    static_secret_render_interval?: string;
    max_connections_per_host?: number;
    lease_renewal_threshold?: number;
  };
  disable_idle_connections?: string[];
  disable_keep_alives?: string[];
  telemetry?: Record<string, unknown>;
  /** vaultlet extension */
  vaultlet?: { listen?: string; revoke_on_shutdown?: boolean; allow_functions?: string[] };
}

export interface TemplateJson {
  destination: string;
  contents?: string;
  source?: string;
  left_delimiter: string;
  right_delimiter: string;
  command?: string;
  perms?: string;
  error_on_missing_key?: boolean;
  /** vaultlet extension */
  engine?: "handlebars";
  /** vaultlet extension: runs after `command` */
  signal?: { signal: string; process_name?: string; pid_file?: string };
}

/** init: renders once and exits; sidecar: keeps running; native: the one long-running agent of a native sidecar. */
export type AgentRole = "init" | "sidecar" | "native";

const MAP_TEMPLATE =
  '{{ with secret "%s" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}';
const JSON_TEMPLATE = '{{ with secret "%s" }}{{ .Data | toJSON }}\n{{ end }}';

export function defaultTemplate(kind: "map" | "json", path: string): string {
  return (kind === "json" ? JSON_TEMPLATE : MAP_TEMPLATE).replace("%s", path);
}

export function buildAgentConfig(spec: InjectionSpec, role: AgentRole): VaultAgentJson {
  const init = role === "init";
  const config: VaultAgentJson = {
    auto_auth: {
      method: compact({
        type: spec.auth.type,
        mount_path: spec.auth.path,
        namespace: spec.auth.namespace,
        config: authConfig(spec),
        min_backoff:
          spec.auth.minBackoffMs === undefined ? undefined : formatDuration(spec.auth.minBackoffMs),
        max_backoff:
          spec.auth.maxBackoffMs === undefined ? undefined : formatDuration(spec.auth.maxBackoffMs),
        exit_on_err: spec.auth.exitOnErr || undefined,
      }),
      sink: [{ type: "file", config: { path: TOKEN_SINK_PATH } }],
    },
    exit_after_auth: init,
    pid_file: PID_FILE,
    vault: compact({
      address: spec.vault.address,
      ca_cert: spec.vault.caCert,
      ca_path: spec.vault.caPath,
      tls_skip_verify: spec.vault.tlsSkipVerify || undefined,
      client_cert: spec.vault.clientCert,
      client_key: spec.vault.clientKey,
      tls_server_name: spec.vault.tlsServerName,
    }),
  };
  if (spec.secrets.length > 0)
    config.template = spec.secrets.map((s) => templateJson(spec, s, init));
  config.template_config = compact({
    exit_on_retry_failure: spec.templateConfig.exitOnRetryFailure,
    static_secret_render_interval:
      spec.templateConfig.staticSecretRenderIntervalMs === undefined
        ? undefined
        : formatDuration(spec.templateConfig.staticSecretRenderIntervalMs),
    max_connections_per_host: spec.templateConfig.maxConnectionsPerHost || undefined,
    lease_renewal_threshold: spec.templateConfig.leaseRenewalThreshold,
  });
  if (spec.injectToken)
    config.auto_auth.sink.push({
      type: "file",
      config: { path: `${spec.secretVolumePath}/token` },
    });
  addCache(config, spec, init);
  if (spec.disableIdleConnections.length > 0)
    config.disable_idle_connections = [...spec.disableIdleConnections];
  if (spec.disableKeepAlives.length > 0) config.disable_keep_alives = [...spec.disableKeepAlives];
  if (Object.keys(spec.telemetry).length > 0) config.telemetry = { ...spec.telemetry };
  const vaultlet = compact({
    // The agent opens its ops endpoint only when asked. The kubelet sends the
    // startup probe to the pod IP, so a native sidecar's listens on all
    // interfaces; a plain sidecar's stays on loopback. Neither serves secrets.
    listen: init ? undefined : `${role === "native" ? "0.0.0.0" : "127.0.0.1"}:${OPS_PORT}`,
    revoke_on_shutdown: !init && spec.revokeOnShutdown ? true : undefined,
    allow_functions: spec.allowFunctions.length > 0 ? [...spec.allowFunctions] : undefined,
  });
  // Vault Agent refuses keys it does not know: its config gets none of vaultlet's
  if (Object.keys(vaultlet).length > 0 && spec.agentKind === "vaultlet") config.vaultlet = vaultlet;
  return config;
}

/**
 * The token file comes first so auth-config-* can override it (as in the
 * reference); the role annotation wins over auth-config-role. The jwt method
 * reads `path` and by default deletes the file after reading, which a
 * read-only projected volume does not allow.
 */
function authConfig(spec: InjectionSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const tokenFile =
    spec.token.kind === "projected"
      ? `${TOKEN_MOUNT_PATH}/${TOKEN_FILE}`
      : spec.token.mountPath && spec.token.tokenPath
        ? joinPath(spec.token.mountPath, spec.token.tokenPath)
        : undefined;
  if (tokenFile !== undefined) {
    if (spec.auth.type === "jwt") {
      out.path = tokenFile;
      out.remove_jwt_after_reading = false;
    } else out.token_path = tokenFile;
  }
  Object.assign(out, spec.auth.config);
  if (spec.auth.role !== undefined) out.role = spec.auth.role;
  return out;
}

/**
 * The init container runs before the app exists, so it has nobody to signal.
 * A Vault Agent image gets no vaultlet keys (admission warned about them).
 */
function templateJson(spec: InjectionSpec, s: SecretSpec, init: boolean): TemplateJson {
  const vaultlet = spec.agentKind === "vaultlet";
  const contents =
    s.templateFile !== undefined
      ? undefined
      : (s.template ?? defaultTemplate(spec.defaultTemplate, s.path ?? ""));
  return compact({
    destination: `${s.mountPath}/${s.file}`,
    contents,
    source: s.templateFile,
    left_delimiter: s.leftDelimiter ?? "{{",
    right_delimiter: s.rightDelimiter ?? "}}",
    command: s.command,
    perms: s.perms === undefined ? undefined : "0" + s.perms.toString(8).padStart(3, "0"),
    error_on_missing_key: s.errorOnMissingKey || undefined,
    engine: s.engine === "handlebars" && vaultlet ? ("handlebars" as const) : undefined,
    signal:
      s.signal === undefined || init || !vaultlet
        ? undefined
        : compact({
            signal: s.signal.signal,
            process_name: s.signal.processName,
            pid_file: s.signal.pidFile,
          }),
  }) as TemplateJson;
}

function addCache(config: VaultAgentJson, spec: InjectionSpec, init: boolean): void {
  const listener = (): NonNullable<VaultAgentJson["listener"]> => [
    { type: "tcp", address: `127.0.0.1:${spec.cache.listenerPort}`, tls_disable: true },
  ];
  if (spec.cache.persist) {
    config.listener = listener();
    config.cache = {
      use_auto_auth_token: spec.cache.useAutoAuthToken,
      persist: compact({
        type: "kubernetes" as const,
        path: CACHE_PATH,
        exit_on_err: spec.cache.exitOnErr || undefined,
      }),
    };
  } else if (spec.cache.enable && !spec.prePopulateOnly && !init) {
    config.listener = listener();
    config.cache = { use_auto_auth_token: spec.cache.useAutoAuthToken };
  }
  if (spec.enableQuit) {
    config.listener ??= listener();
    config.listener[0]!.agent_api = { enable_quit: true };
    // Vault Agent requires a cache stanza for any listener that serves its API.
    config.cache ??= {};
  }
}

/** Drops keys whose value is undefined, so the JSON has no nulls. */
function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

function joinPath(dir: string, file: string): string {
  return `${dir.replace(/\/+$/, "")}/${file.replace(/^\/+/, "")}`;
}

/** The config as the container receives it: base64 of the JSON text. */
export function encodeAgentConfig(config: VaultAgentJson): string {
  return Buffer.from(JSON.stringify(config)).toString("base64");
}
