import { decodeJwt, decodeProtectedHeader, type JWTPayload } from "jose";
import { VaultletError } from "../../shared/errors.ts";

export const DOCTOR_TOKEN_INVALID = "DOCTOR_TOKEN_INVALID";

/** What a login token says about itself, read without verifying its signature. */
export interface TokenClaims {
  issuer?: string;
  subject?: string;
  audience: string[];
  /** false when `aud` is a single string (Kubernetes always issues a list) */
  audienceIsList: boolean;
  expiresAt?: Date;
  issuedAt?: Date;
  notBefore?: Date;
  algorithm?: string;
  keyId?: string;
  /** present for Kubernetes service-account tokens (projected or legacy) */
  kubernetes?: KubernetesIdentity;
  /** every claim, for naming the value of a bound claim Vault refused */
  payload: JWTPayload;
}

export interface KubernetesIdentity {
  namespace?: string;
  serviceAccount?: string;
  pod?: string;
}

const SA_SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/**
 * Decodes a JWT's header and claims for diagnosis. Nothing here is trusted:
 * Vault verifies the signature; the doctor only reads what the token claims
 * so it can say why Vault refused it.
 */
export function readTokenClaims(jwt: string): TokenClaims {
  let payload: JWTPayload;
  let header: { alg?: string; kid?: string };
  try {
    payload = decodeJwt(jwt.trim());
    header = decodeProtectedHeader(jwt.trim());
  } catch (err) {
    throw new VaultletError(
      DOCTOR_TOKEN_INVALID,
      "the token is not a JWT (expected three base64url parts separated by dots); check that the file holds the service-account or OIDC token itself",
      { cause: err },
    );
  }
  const aud = payload.aud;
  return {
    issuer: payload.iss,
    subject: payload.sub,
    audience: aud === undefined ? [] : Array.isArray(aud) ? aud : [aud],
    audienceIsList: Array.isArray(aud),
    expiresAt: secondsToDate(payload.exp),
    issuedAt: secondsToDate(payload.iat),
    notBefore: secondsToDate(payload.nbf),
    algorithm: header.alg,
    keyId: header.kid,
    kubernetes: kubernetesIdentity(payload),
    payload,
  };
}

function secondsToDate(s: unknown): Date | undefined {
  return typeof s === "number" && Number.isFinite(s) ? new Date(s * 1000) : undefined;
}

function kubernetesIdentity(payload: JWTPayload): KubernetesIdentity | undefined {
  const projected = payload["kubernetes.io"];
  if (projected && typeof projected === "object") {
    const k = projected as {
      namespace?: unknown;
      serviceaccount?: { name?: unknown };
      pod?: { name?: unknown };
    };
    return {
      namespace: str(k.namespace),
      serviceAccount: str(k.serviceaccount?.name),
      pod: str(k.pod?.name),
    };
  }
  // Legacy (secret-based) service-account tokens carry flat claims.
  const legacyNs = str(payload["kubernetes.io/serviceaccount/namespace"]);
  const legacySa = str(payload["kubernetes.io/serviceaccount/service-account.name"]);
  if (legacyNs || legacySa) return { namespace: legacyNs, serviceAccount: legacySa };
  const m = payload.sub ? SA_SUBJECT.exec(payload.sub) : null;
  if (m) return { namespace: m[1], serviceAccount: m[2] };
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * A claim by name or by JSON pointer ("/kubernetes.io/namespace"), the two
 * forms Vault's bound_claims accept.
 */
export function claimValue(payload: JWTPayload, name: string): unknown {
  if (!name.startsWith("/")) return payload[name];
  let node: unknown = payload;
  for (const raw of name.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
