/** The Vault HTTP client and its types; import from here. */
export { VaultClient, DEFAULT_TIMEOUT_MS } from "./client.ts";
export type { VaultClientOptions, CallOptions, Query } from "./client.ts";
export {
  VAULT_ERROR_CODES,
  VaultError,
  VaultResponseError,
  VaultRequestError,
  codeForStatus,
} from "./errors.ts";
export type { VaultErrorCode } from "./errors.ts";
export { kvV2DataPath, mountInfoFrom } from "./kv.ts";
export { parseKeepingDataNumbers, parsePlain } from "./json.ts";
export { DEFAULT_RETRY, isRetryableStatus, retryDelayMs } from "./retry.ts";
export type { RetryPolicy } from "./retry.ts";
export type { TlsOptions } from "./transport.ts";
export type {
  LeaseRenewal,
  MountInfo,
  RequestEvent,
  RequestObserver,
  TokenLookup,
  VaultAuth,
  VaultHealth,
  VaultResponse,
} from "./types.ts";
