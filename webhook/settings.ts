import { VaultletError } from "../shared/errors.ts";
import {
  parseDurationMs,
  parseEnum,
  parseGoBool,
  parseInteger,
  parseList,
  parseLogLevel,
  parseQuantityOrEmpty,
  parseText,
  parseUid,
  parseFeatureList,
} from "./annotations/values.ts";

/**
 * The injector's own settings: webhook-wide defaults that annotations may
 * override per pod, plus the server's listen and TLS options. Each setting is
 * a command-line flag mirrored by an AGENT_INJECT_* environment variable;
 * the variable wins when it is set and not empty (the reference injector's
 * rule). Durations are milliseconds.
 */
export interface InjectorSettings {
  /** address the HTTPS server binds, e.g. ":8080" */
  listen: string;
  logLevel: "trace" | "debug" | "info" | "warn" | "error";
  logFormat: "standard" | "json";
  /** Vault address written into every agent config unless `vault.hashicorp.com/service` overrides it */
  vaultAddress: string;
  /** PEM (or base64 of PEM) CA bundle handed to agents as VAULT_CACERT_BYTES */
  vaultCaCertBytes: string;
  proxyAddress: string;
  /** image of the agent containers */
  agentImage: string;
  authType: string;
  authPath: string;
  vaultNamespace: string;
  revokeOnShutdown: boolean;
  runAsUser: number;
  runAsGroup: number;
  runAsSameUser: boolean;
  setSecurityContext: boolean;
  telemetryPath: string;
  useLeaderElector: boolean;
  defaultTemplate: "map" | "json";
  /** agent resources; "" means the resource is left unset */
  cpuRequest: string;
  memRequest: string;
  ephemeralRequest: string;
  cpuLimit: string;
  memLimit: string;
  ephemeralLimit: string;
  templateConfigExitOnRetryFailure: boolean;
  /** milliseconds; undefined = the agent's default (5m) */
  templateStaticSecretRenderInterval: number | undefined;
  templateMaxConnectionsPerHost: number | undefined;
  /** the MutatingWebhookConfiguration whose caBundle auto-TLS maintains; "" = TLS from files */
  tlsAuto: string;
  tlsAutoHosts: string[];
  tlsCertFile: string;
  tlsKeyFile: string;
  tlsMinVersion: "tls12" | "tls13";
  /** milliseconds; undefined = the agent's defaults (1s / 5m) */
  authMinBackoff: number | undefined;
  authMaxBackoff: number | undefined;
  disableIdleConnections: string[];
  disableKeepAlives: string[];
  /** the injector's own namespace (env NAMESPACE) */
  namespace: string;
  /** vaultlet: run the agent as a native sidecar (init container with restartPolicy Always) by default */
  nativeSidecar: boolean;
  /** vaultlet: give agents a projected service-account token instead of the pod's default token */
  projectedToken: boolean;
  /** vaultlet: audience of the projected token */
  tokenAudience: string;
  /** vaultlet: lifetime of the projected token in seconds (Kubernetes requires at least 600) */
  tokenExpirationSeconds: number;
  /** vaultlet: sizeLimit of the in-memory secrets volumes; "" = none */
  secretsVolumeSizeLimit: string;
  /** vaultlet: mount the secrets volumes read-only into application containers */
  secretsReadOnly: boolean;
}

/** The chart's default agent image (values.yaml agentImage at the chart's appVersion); a test keeps them equal. */
export const DEFAULT_AGENT_IMAGE = "vaultlet/agent:0.1.0";

export function defaultSettings(): InjectorSettings {
  return {
    listen: ":8080",
    logLevel: "info",
    logFormat: "standard",
    vaultAddress: "",
    vaultCaCertBytes: "",
    proxyAddress: "",
    agentImage: DEFAULT_AGENT_IMAGE,
    authType: "kubernetes",
    authPath: "auth/kubernetes",
    vaultNamespace: "",
    revokeOnShutdown: false,
    runAsUser: 100,
    runAsGroup: 1000,
    runAsSameUser: false,
    setSecurityContext: true,
    telemetryPath: "",
    useLeaderElector: false,
    defaultTemplate: "map",
    cpuRequest: "250m",
    memRequest: "64Mi",
    ephemeralRequest: "",
    cpuLimit: "500m",
    memLimit: "128Mi",
    ephemeralLimit: "",
    templateConfigExitOnRetryFailure: true,
    templateStaticSecretRenderInterval: undefined,
    templateMaxConnectionsPerHost: undefined,
    tlsAuto: "",
    tlsAutoHosts: [],
    tlsCertFile: "",
    tlsKeyFile: "",
    tlsMinVersion: "tls12",
    authMinBackoff: undefined,
    authMaxBackoff: undefined,
    disableIdleConnections: [],
    disableKeepAlives: [],
    namespace: "",
    nativeSidecar: false,
    projectedToken: true,
    tokenAudience: "vault",
    tokenExpirationSeconds: 600,
    secretsVolumeSizeLimit: "",
    secretsReadOnly: false,
  };
}

type Key = keyof InjectorSettings;

interface SettingDef {
  key: Key;
  /** command-line flag without dashes */
  flag: string;
  /** environment variable */
  env: string;
  /** bool flags may be given without a value, Go-style */
  bool?: boolean;
  parse: (raw: string) => InjectorSettings[Key];
  help: string;
}

const str = parseText;
const bool = parseGoBool;
const quantityOrEmpty = parseQuantityOrEmpty;
function durationOrUnset(raw: string): number | undefined {
  return raw === "" ? undefined : parseDurationMs(raw);
}
const featureList = parseFeatureList;
function logLevel(raw: string): InjectorSettings["logLevel"] {
  return raw.trim() === "" ? "info" : parseLogLevel(raw);
}

/** Every setting: flag, environment variable, parser. The order is the --help order. */
export const SETTINGS: readonly SettingDef[] = [
  {
    key: "listen",
    flag: "listen",
    env: "AGENT_INJECT_LISTEN",
    parse: str,
    help: "address to bind the HTTPS server to",
  },
  {
    key: "logLevel",
    flag: "log-level",
    env: "AGENT_INJECT_LOG_LEVEL",
    parse: logLevel,
    help: "trace, debug, info, warn or error",
  },
  {
    key: "logFormat",
    flag: "log-format",
    env: "AGENT_INJECT_LOG_FORMAT",
    parse: (r) => parseEnum(r, ["standard", "json"] as const),
    help: "standard or json",
  },
  {
    key: "vaultAddress",
    flag: "vault-address",
    env: "AGENT_INJECT_VAULT_ADDR",
    parse: str,
    help: "address of the Vault server (required)",
  },
  {
    key: "vaultCaCertBytes",
    flag: "vault-cacert-bytes",
    env: "AGENT_INJECT_VAULT_CACERT_BYTES",
    parse: str,
    help: "CA certificate (PEM or base64 PEM) the agents trust for Vault",
  },
  {
    key: "proxyAddress",
    flag: "proxy-address",
    env: "AGENT_INJECT_PROXY_ADDR",
    parse: str,
    help: "HTTPS proxy the agents use to reach Vault",
  },
  {
    key: "agentImage",
    flag: "vault-image",
    env: "AGENT_INJECT_VAULT_IMAGE",
    parse: str,
    help: "image of the agent containers",
  },
  {
    key: "authType",
    flag: "vault-auth-type",
    env: "AGENT_INJECT_VAULT_AUTH_TYPE",
    parse: str,
    help: "auth method the agents log in with",
  },
  {
    key: "authPath",
    flag: "vault-auth-path",
    env: "AGENT_INJECT_VAULT_AUTH_PATH",
    parse: str,
    help: "mount path of the auth method",
  },
  {
    key: "vaultNamespace",
    flag: "vault-namespace",
    env: "AGENT_INJECT_VAULT_NAMESPACE",
    parse: str,
    help: "Vault Enterprise namespace",
  },
  {
    key: "revokeOnShutdown",
    flag: "revoke-on-shutdown",
    env: "AGENT_INJECT_REVOKE_ON_SHUTDOWN",
    bool: true,
    parse: bool,
    help: "revoke the agent's token when the pod stops",
  },
  {
    key: "runAsUser",
    flag: "run-as-user",
    env: "AGENT_INJECT_RUN_AS_USER",
    parse: parseUid,
    help: "uid of the agent containers",
  },
  {
    key: "runAsGroup",
    flag: "run-as-group",
    env: "AGENT_INJECT_RUN_AS_GROUP",
    parse: parseUid,
    help: "gid of the agent containers",
  },
  {
    key: "runAsSameUser",
    flag: "run-as-same-user",
    env: "AGENT_INJECT_RUN_AS_SAME_USER",
    bool: true,
    parse: bool,
    help: "run the agent as the first app container's uid",
  },
  {
    key: "setSecurityContext",
    flag: "set-security-context",
    env: "AGENT_INJECT_SET_SECURITY_CONTEXT",
    bool: true,
    parse: bool,
    help: "set a restrictive securityContext on the agent containers",
  },
  {
    key: "telemetryPath",
    flag: "telemetry-path",
    env: "AGENT_INJECT_TELEMETRY_PATH",
    parse: str,
    help: "path of the Prometheus metrics endpoint",
  },
  {
    key: "useLeaderElector",
    flag: "use-leader-elector",
    env: "AGENT_INJECT_USE_LEADER_ELECTOR",
    bool: true,
    parse: bool,
    help: "elect one replica to create the auto-TLS pair",
  },
  {
    key: "defaultTemplate",
    flag: "default-template",
    env: "AGENT_INJECT_DEFAULT_TEMPLATE",
    parse: (r) => parseEnum(r, ["map", "json"] as const),
    help: "default template: map or json",
  },
  {
    key: "cpuRequest",
    flag: "cpu-request",
    env: "AGENT_INJECT_CPU_REQUEST",
    parse: quantityOrEmpty,
    help: "agent CPU request",
  },
  {
    key: "memRequest",
    flag: "memory-request",
    env: "AGENT_INJECT_MEM_REQUEST",
    parse: quantityOrEmpty,
    help: "agent memory request",
  },
  {
    key: "ephemeralRequest",
    flag: "ephemeral-storage-request",
    env: "AGENT_INJECT_EPHEMERAL_REQUEST",
    parse: quantityOrEmpty,
    help: "agent ephemeral-storage request",
  },
  {
    key: "cpuLimit",
    flag: "cpu-limit",
    env: "AGENT_INJECT_CPU_LIMIT",
    parse: quantityOrEmpty,
    help: "agent CPU limit",
  },
  {
    key: "memLimit",
    flag: "memory-limit",
    env: "AGENT_INJECT_MEM_LIMIT",
    parse: quantityOrEmpty,
    help: "agent memory limit",
  },
  {
    key: "ephemeralLimit",
    flag: "ephemeral-storage-limit",
    env: "AGENT_INJECT_EPHEMERAL_LIMIT",
    parse: quantityOrEmpty,
    help: "agent ephemeral-storage limit",
  },
  {
    key: "templateConfigExitOnRetryFailure",
    flag: "template-config-exit-on-retry-failure",
    env: "AGENT_INJECT_TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE",
    bool: true,
    parse: bool,
    help: "agents exit when template retries run out",
  },
  {
    key: "templateStaticSecretRenderInterval",
    flag: "template-static-secret-render-interval",
    env: "AGENT_INJECT_TEMPLATE_STATIC_SECRET_RENDER_INTERVAL",
    parse: durationOrUnset,
    help: "re-read interval for non-leased secrets",
  },
  {
    key: "templateMaxConnectionsPerHost",
    flag: "template-max-connections-per-host",
    env: "AGENT_INJECT_TEMPLATE_MAX_CONNECTIONS_PER_HOST",
    parse: (r) => (r === "" ? undefined : parseInteger(r, 0)),
    help: "cap on template connections per Vault host",
  },
  {
    key: "tlsAuto",
    flag: "tls-auto",
    env: "AGENT_INJECT_TLS_AUTO",
    parse: str,
    help: "MutatingWebhookConfiguration name; enables automatic TLS",
  },
  {
    key: "tlsAutoHosts",
    flag: "tls-auto-hosts",
    env: "AGENT_INJECT_TLS_AUTO_HOSTS",
    parse: parseList,
    help: "comma-separated DNS names of the automatic serving certificate",
  },
  {
    key: "tlsCertFile",
    flag: "tls-cert-file",
    env: "AGENT_INJECT_TLS_CERT_FILE",
    parse: str,
    help: "PEM certificate file to serve",
  },
  {
    key: "tlsKeyFile",
    flag: "tls-key-file",
    env: "AGENT_INJECT_TLS_KEY_FILE",
    parse: str,
    help: "PEM private key file to serve",
  },
  {
    key: "tlsMinVersion",
    flag: "tls-min-version",
    env: "AGENT_INJECT_TLS_MIN_VERSION",
    parse: (r) => parseEnum(r, ["tls12", "tls13"] as const),
    help: "minimum TLS version: tls12 or tls13",
  },
  {
    key: "authMinBackoff",
    flag: "auth-min-backoff",
    env: "AGENT_INJECT_AUTH_MIN_BACKOFF",
    parse: durationOrUnset,
    help: "agent login retry minimum backoff",
  },
  {
    key: "authMaxBackoff",
    flag: "auth-max-backoff",
    env: "AGENT_INJECT_AUTH_MAX_BACKOFF",
    parse: durationOrUnset,
    help: "agent login retry maximum backoff",
  },
  {
    key: "disableIdleConnections",
    flag: "disable-idle-connections",
    env: "AGENT_INJECT_DISABLE_IDLE_CONNECTIONS",
    parse: featureList,
    help: "agent features without idle connections (auto-auth,caching,templating)",
  },
  {
    key: "disableKeepAlives",
    flag: "disable-keep-alives",
    env: "AGENT_INJECT_DISABLE_KEEP_ALIVES",
    parse: featureList,
    help: "agent features without keep-alives (auto-auth,caching,templating)",
  },
  {
    key: "namespace",
    flag: "namespace",
    env: "NAMESPACE",
    parse: str,
    help: "the injector's own namespace",
  },
  {
    key: "nativeSidecar",
    flag: "native-sidecar",
    env: "AGENT_INJECT_NATIVE_SIDECAR",
    bool: true,
    parse: bool,
    help: "vaultlet: inject the agent as a native sidecar by default (Kubernetes 1.29+)",
  },
  {
    key: "projectedToken",
    flag: "projected-token",
    env: "AGENT_INJECT_PROJECTED_TOKEN",
    bool: true,
    parse: bool,
    help: "vaultlet: give agents an audience-scoped projected token",
  },
  {
    key: "tokenAudience",
    flag: "token-audience",
    env: "AGENT_INJECT_TOKEN_AUDIENCE",
    parse: nonEmpty,
    help: "vaultlet: audience of the projected token",
  },
  {
    key: "tokenExpirationSeconds",
    flag: "token-expiration",
    env: "AGENT_INJECT_TOKEN_EXPIRATION",
    parse: tokenExpiration,
    help: "vaultlet: projected token lifetime (>= 10m)",
  },
  {
    key: "secretsVolumeSizeLimit",
    flag: "secrets-volume-size-limit",
    env: "AGENT_INJECT_SECRETS_VOLUME_SIZE_LIMIT",
    parse: quantityOrEmpty,
    help: "vaultlet: sizeLimit of the secrets volumes",
  },
  {
    key: "secretsReadOnly",
    flag: "secrets-read-only",
    env: "AGENT_INJECT_SECRETS_READ_ONLY",
    bool: true,
    parse: bool,
    help: "vaultlet: mount secrets read-only into app containers",
  },
];

function nonEmpty(raw: string): string {
  if (raw.trim() === "") throw new Error("is empty; give a value");
  return raw;
}

/** Projected token lifetime: a duration or bare seconds, whole seconds, at least 600 (Kubernetes' minimum). */
export function tokenExpiration(raw: string): number {
  const ms = parseDurationMs(raw);
  if (ms % 1000 !== 0) throw new Error('is not a whole number of seconds; use e.g. "600" or "1h"');
  const seconds = ms / 1000;
  if (seconds < 600) throw new Error('is shorter than Kubernetes allows; use at least "600" (10m)');
  if (seconds > 2 ** 32)
    throw new Error("is longer than Kubernetes allows; use at most 4294967296 seconds");
  return seconds;
}

/** Text for `vaultlet webhook --help`. */
export function settingsUsage(): string {
  const rows = SETTINGS.map((s) => `  -${s.flag.padEnd(40)} ${s.env}\n      ${s.help}`);
  return `settings (flag, then the environment variable that overrides it):\n${rows.join("\n")}\n`;
}

/**
 * Reads flags (Go style `-flag=value`, `--flag=value`, `--flag value`, and
 * bare `--flag` for booleans) over the defaults, then lets each AGENT_INJECT_*
 * variable that is set and not empty win. Unknown flags are a USAGE error;
 * bad values are INVALID_SETTING naming the flag or variable.
 */
export function settingsFromEnvAndFlags(
  env: Record<string, string | undefined>,
  argv: string[],
): InjectorSettings {
  const settings = defaultSettings() as unknown as Record<Key, unknown>;
  const byFlag = new Map(SETTINGS.map((s) => [s.flag, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([A-Za-z0-9][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!m)
      throw new VaultletError(
        "USAGE",
        `unexpected argument "${arg}"; settings are flags like -vault-address=https://vault:8200`,
      );
    const def = byFlag.get(m[1]!);
    if (!def) throw new VaultletError("USAGE", `unknown flag -${m[1]}\n${settingsUsage()}`);
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (def.bool && (next === undefined || next.startsWith("-"))) value = "true";
      else if (next === undefined)
        throw new VaultletError("USAGE", `flag -${def.flag} needs a value`);
      else {
        value = next;
        i++;
      }
    }
    settings[def.key] = parseSetting(def, value, `flag -${def.flag}`);
  }
  for (const def of SETTINGS) {
    const value = env[def.env];
    if (value === undefined || value === "") continue;
    settings[def.key] = parseSetting(def, value, `environment variable ${def.env}`);
  }
  const out = settings as unknown as InjectorSettings;
  if (
    out.authMinBackoff !== undefined &&
    out.authMaxBackoff !== undefined &&
    out.authMinBackoff > out.authMaxBackoff
  ) {
    throw new VaultletError(
      "INVALID_SETTING",
      "auth-min-backoff is longer than auth-max-backoff; make the minimum the smaller one",
    );
  }
  return out;
}

function parseSetting(def: SettingDef, raw: string, where: string): InjectorSettings[Key] {
  try {
    return def.parse(raw);
  } catch (err) {
    const why = (err as Error).message;
    throw new VaultletError("INVALID_SETTING", `${where}: "${raw}" ${why}`, { cause: err });
  }
}
