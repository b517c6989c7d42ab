/**
 * Names and paths of everything the injector adds to a pod, defined once.
 * The reference injector's names are kept so dashboards, PodSecurity
 * exemptions and scripts written for it keep matching.
 */
export const CONTAINER_INIT = "vault-agent-init";
export const CONTAINER_SIDECAR = "vault-agent";

export const VOLUME_HOME_INIT = "home-init";
export const VOLUME_HOME_SIDECAR = "home-sidecar";
export const HOME_PATH = "/home/vault";
export const TOKEN_SINK_PATH = "/home/vault/.vault-token";
export const PID_FILE = "/home/vault/.pid";

export const VOLUME_SECRETS = "vault-secrets";
/** extra secret-volume-path volumes are named vault-secrets-custom-0, -1, ... */
export const VOLUME_SECRETS_CUSTOM_PREFIX = "vault-secrets-custom-";
export const DEFAULT_SECRETS_PATH = "/vault/secrets";

export const VOLUME_CONFIG = "vault-config";
export const CONFIG_PATH = "/vault/configs";
export const VOLUME_EXTRA_SECRET = "extra-secrets";
export const EXTRA_SECRET_PATH = "/vault/custom";
export const VOLUME_TLS_SECRET = "vault-tls-secrets";
export const TLS_SECRET_PATH = "/vault/tls";
export const VOLUME_CACHE = "vault-agent-cache";
export const CACHE_PATH = "/vault/agent-cache";

/** vaultlet: the audience-scoped projected service-account token (agents only). */
export const VOLUME_TOKEN = "vaultlet-token";
export const TOKEN_MOUNT_PATH = "/var/run/secrets/vaultlet.io/serviceaccount";
export const TOKEN_FILE = "token";
/** reference fallback mount path when the named token volume is not mounted by any container */
export const DEFAULT_SA_MOUNT_PATH = "/var/run/secrets/vault.hashicorp.com/serviceaccount";

/**
 * vaultlet: the agent's ops endpoint (/ready, /health, /metrics). The native
 * sidecar's startup probe is sent by the kubelet to the pod IP, so in that
 * mode the agent listens on all interfaces; otherwise on loopback only.
 */
export { OPS_PORT, OPS_READY_PATH } from "../../shared/ops.ts";

/** The agent binary in the agent image; no shell is needed in the image. */
export const AGENT_COMMAND = ["vaultlet", "agent"] as const;
/** The agent reads its JSON config (base64) from this environment variable. */
export const CONFIG_ENV = "VAULT_CONFIG";

export const STATUS_INJECTED = "injected";
