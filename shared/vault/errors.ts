/**
 * Errors from talking to Vault. Callers match on `code`; the fields say which
 * call failed and what Vault answered. Nothing here ever holds the request's
 * token, body or headers, and Vault's own messages are scrubbed of any value
 * the request carried (some backends echo input back in their errors).
 */
import { inspect } from "node:util";
import { VaultletError } from "../errors.ts";

export const VAULT_ERROR_CODES = {
  /** 400 */
  badRequest: "VAULT_BAD_REQUEST",
  /** 401 or 403: the token is missing, invalid, expired or lacks a policy */
  permissionDenied: "VAULT_PERMISSION_DENIED",
  /** 404 */
  notFound: "VAULT_NOT_FOUND",
  /** 429 (rate limited, or a standby answering sys/health) */
  rateLimited: "VAULT_RATE_LIMITED",
  /** 503 with "Vault is sealed" */
  sealed: "VAULT_SEALED",
  /** connection refused/reset, DNS failure, or a 5xx other than sealed */
  unavailable: "VAULT_UNAVAILABLE",
  /** no answer within the configured timeout */
  timeout: "VAULT_TIMEOUT",
  /** certificate or handshake failure */
  tls: "VAULT_TLS",
  /** an answer that is not Vault's JSON, or lacks what the call needs */
  badResponse: "VAULT_BAD_RESPONSE",
  /** any other status */
  other: "VAULT_ERROR",
  /** the client's own options are wrong (address, CA file, ...) */
  config: "VAULT_CONFIG",
} as const;

export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[keyof typeof VAULT_ERROR_CODES];

const REDACTED = "[redacted]";
/** Shorter values are too common as substrings to scrub without mangling messages. */
const MIN_SCRUB_LENGTH = 4;

/** Replace every occurrence of the given values in `text` (longest first). */
export function scrub(text: string, values: Iterable<string>): string {
  const sorted = [...new Set(values)]
    .filter((v) => v.length >= MIN_SCRUB_LENGTH)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of sorted) out = out.split(v).join(REDACTED);
  return out;
}

/** Every string inside a request body (what could leak if Vault echoes it). */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === "object")
    for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** Base of every error about a Vault call. */
export class VaultError extends VaultletError {
  readonly method: string;
  /** path below /v1/, without the query string */
  readonly path: string;
  readonly address: string;

  constructor(
    code: VaultErrorCode,
    message: string,
    where: { method: string; path: string; address: string },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = "VaultError";
    this.method = where.method;
    this.path = where.path;
    this.address = where.address;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      method: this.method,
      path: this.path,
      address: this.address,
    };
  }

  // Only the stack (which starts with the message) and the code: a fixed view,
  // whatever fields subclasses or callers attach later.
  [inspect.custom](): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n  code: ${this.code}`;
  }
}

/** Vault answered with an error status. */
export class VaultResponseError extends VaultError {
  readonly status: number;
  /** Vault's `errors` messages, scrubbed */
  readonly errors: readonly string[];

  constructor(
    code: VaultErrorCode,
    message: string,
    where: { method: string; path: string; address: string; status: number; errors: string[] },
  ) {
    super(code, message, where);
    this.name = "VaultResponseError";
    this.status = where.status;
    this.errors = Object.freeze([...where.errors]);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, errors: [...this.errors] };
  }
}

/** Vault could not be reached, timed out, or failed the TLS handshake. */
export class VaultRequestError extends VaultError {
  /** the system error code, e.g. ECONNREFUSED */
  readonly errno: string | undefined;

  constructor(
    code: VaultErrorCode,
    message: string,
    where: { method: string; path: string; address: string; errno?: string },
    options?: { cause?: unknown },
  ) {
    super(code, message, where, options);
    this.name = "VaultRequestError";
    this.errno = where.errno;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), errno: this.errno };
  }
}

/** The code for an error status (sealed needs Vault's message to tell apart). */
export function codeForStatus(status: number, errors: readonly string[]): VaultErrorCode {
  if (status === 400) return VAULT_ERROR_CODES.badRequest;
  if (status === 401 || status === 403) return VAULT_ERROR_CODES.permissionDenied;
  if (status === 404) return VAULT_ERROR_CODES.notFound;
  if (status === 429) return VAULT_ERROR_CODES.rateLimited;
  if (status === 503 && errors.some((e) => /\bsealed\b/i.test(e))) return VAULT_ERROR_CODES.sealed;
  if (status >= 500) return VAULT_ERROR_CODES.unavailable;
  return VAULT_ERROR_CODES.other;
}

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  EADDRNOTAVAIL: "address not available",
};

/** Is this system error a certificate or handshake problem (retrying will not help)? */
export function isTlsErrno(errno: string | undefined): boolean {
  return (
    !!errno &&
    /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_OSSL|HOSTNAME_MISMATCH)/.test(
      errno,
    )
  );
}

/** A human reason for a transport failure, naming no secret (system errors carry none). */
export function describeTransportError(errno: string | undefined, err: unknown): string {
  if (errno && ERRNO_TEXT[errno]) return ERRNO_TEXT[errno];
  const message = err instanceof Error ? err.message : String(err);
  return errno ? `${message} (${errno})` : message;
}
