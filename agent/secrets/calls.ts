/**
 * The Vault calls the secrets store makes, as an interface the runner fills
 * with an adapter over the shared Vault client.
 */

/** Vault's response envelope */
export interface VaultResponse {
  request_id?: string;
  lease_id?: string;
  /** seconds */
  lease_duration?: number;
  renewable?: boolean;
  data?: Record<string, unknown> | null;
  warnings?: string[] | null;
  auth?: unknown;
  wrap_info?: unknown;
}

export interface KvMount {
  /** mount path without slashes at either end, e.g. "kv" or "team/kv" */
  path: string;
  version: 1 | 2;
}

export interface SecretCalls {
  /** GET /v1/<path>[?query] */
  read(token: string, path: string, query: ReadonlyArray<[string, string]>): Promise<VaultResponse>;
  /** PUT /v1/<path> with a JSON body */
  write(token: string, path: string, body: Record<string, unknown>): Promise<VaultResponse>;
  /** LIST /v1/<path> */
  list(token: string, path: string): Promise<VaultResponse>;
  /** the KV mount holding `path` and its version; undefined when `path` is not under a KV mount */
  kvMount(token: string, path: string): Promise<KvMount | undefined>;
  /** PUT /v1/sys/leases/renew */
  renewLease(token: string, leaseId: string, incrementSeconds: number): Promise<VaultResponse>;
  /** PUT /v1/sys/leases/revoke */
  revokeLease(token: string, leaseId: string): Promise<void>;
}
