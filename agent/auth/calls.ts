/**
 * The Vault calls auto-auth makes, as an interface: the runner passes an
 * adapter over the shared Vault client. Kept narrow so the token's life can
 * be followed in one place.
 */

/** the `auth` block of a login or renew-self response */
export interface VaultAuth {
  client_token: string;
  accessor?: string;
  /** seconds */
  lease_duration: number;
  renewable: boolean;
}

/** the parts of lookup-self's `data` the agent uses */
export interface TokenLookup {
  accessor?: string;
  /** seconds left */
  ttl: number;
  renewable: boolean;
}

export interface AuthCalls {
  /** PUT /v1/<mountPath>/login, in the method's own namespace when it has one */
  login(mountPath: string, body: Record<string, unknown>, namespace?: string): Promise<VaultAuth>;
  /** PUT /v1/auth/token/renew-self */
  renewSelf(token: string, incrementSeconds: number): Promise<VaultAuth>;
  /** GET /v1/auth/token/lookup-self */
  lookupSelf(token: string): Promise<TokenLookup>;
  /** POST /v1/auth/token/revoke-self */
  revokeSelf(token: string): Promise<void>;
}

/** HTTP status carried by an error from the Vault client, if any */
export function vaultStatus(err: unknown): number | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; cause?: unknown };
  if (typeof e.status === "number") return e.status;
  if (typeof e.statusCode === "number") return e.statusCode;
  return e.cause && e.cause !== err ? vaultStatus(e.cause) : undefined;
}

/** Vault's answer for a token it no longer accepts (revoked, expired, unknown) */
export function isTokenRejected(err: unknown): boolean {
  const s = vaultStatus(err);
  return s === 401 || s === 403;
}

/** a client error: retrying the same request will not help */
export function isPermanent(err: unknown): boolean {
  const s = vaultStatus(err);
  return s !== undefined && s >= 400 && s < 500 && s !== 408 && s !== 429;
}
