/**
 * Vault's HTTP API shapes, with Vault's own field names. Durations in these
 * shapes are Vault's (seconds); the client's options are milliseconds.
 */

/** The `auth` block of a login or token renewal. */
export interface VaultAuth {
  client_token: string;
  accessor: string;
  policies: string[] | null;
  token_policies: string[] | null;
  identity_policies?: string[] | null;
  metadata: Record<string, string> | null;
  /** seconds */
  lease_duration: number;
  renewable: boolean;
  entity_id?: string;
  token_type?: string;
  orphan?: boolean;
}

/** The response envelope of every Vault call that returns a body. */
export interface VaultResponse<D = Record<string, unknown>> {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  /** seconds */
  lease_duration: number;
  data: D | null;
  wrap_info: unknown;
  warnings: string[] | null;
  auth: VaultAuth | null;
}

/** data of auth/token/lookup-self (the fields vaultlet uses; Vault sends more). */
export interface TokenLookup {
  accessor: string;
  creation_time: number;
  creation_ttl: number;
  display_name: string;
  entity_id: string;
  expire_time: string | null;
  explicit_max_ttl: number;
  id: string;
  issue_time: string;
  meta: Record<string, string> | null;
  num_uses: number;
  orphan: boolean;
  path: string;
  period?: number;
  policies: string[];
  renewable: boolean;
  /** seconds left */
  ttl: number;
  type: string;
}

/** The answer of sys/leases/renew. */
export interface LeaseRenewal {
  lease_id: string;
  renewable: boolean;
  /** seconds */
  lease_duration: number;
}

/** sys/health, whatever its status code. */
export interface VaultHealth {
  /** HTTP status: 200 active, 429 standby, 472/473 DR/perf standby, 501 uninitialised, 503 sealed */
  status: number;
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version?: string;
  cluster_name?: string;
  cluster_id?: string;
  server_time_utc?: number;
}

/** What sys/internal/ui/mounts/<path> says about the mount holding a path. */
export interface MountInfo {
  /** mount path with trailing slash, e.g. "secret/" ("" when Vault answered 404) */
  mount: string;
  /** engine type, e.g. "kv", "database", "pki" ("" when unknown) */
  type: string;
  /** 2 only for a KV v2 mount; 1 for KV v1 and everything else */
  kvVersion: 1 | 2;
}

/** One HTTP exchange, as reported to request observers (metrics, request counting). */
export interface RequestEvent {
  method: string;
  /** path below /v1/, without the query string */
  path: string;
  /** HTTP status, or undefined when no answer came (network error, timeout) */
  status: number | undefined;
  durationMs: number;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** error code when the exchange failed (VAULT_UNAVAILABLE, VAULT_TIMEOUT, ...) */
  errorCode?: string;
}

export type RequestObserver = (event: RequestEvent) => void;
