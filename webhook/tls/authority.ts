import {
  CA_VALIDITY_MS,
  LEAF_VALIDITY_MS,
  certInfo,
  generateCa,
  isSignedBy,
  issueServingCert,
} from "./certs.ts";
import type { TlsMaterial } from "./material.ts";

/**
 * The automatic TLS state: a CA, the CA it replaced (kept in the webhook's
 * caBundle until it expires, so API servers holding the old bundle keep
 * trusting us mid-rotation), and the serving certificate.
 */
export interface AuthorityState {
  readonly ca: TlsMaterial;
  readonly previousCaPem?: string;
  readonly leaf: TlsMaterial;
}

export interface AuthorityTimings {
  readonly caValidityMs?: number;
  readonly leafValidityMs?: number;
}

export type RenewalPlan = "none" | "leaf" | "ca";

/** Secret keys. Opaque type: the CA key travels with the pair so any new leader can renew. */
export const SECRET_KEYS = {
  cert: "tls.crt",
  key: "tls.key",
  caCert: "ca.crt",
  caKey: "ca.key",
  previousCa: "ca-previous.crt",
} as const;

/**
 * What must be regenerated: the CA when it is missing or within a third of
 * its life of expiring, the leaf when it is within a third of its life of
 * expiring (8 h for the 24 h default), names the wrong hosts, or was not
 * signed by the current CA.
 */
export function planRenewal(
  state: AuthorityState | undefined,
  hosts: readonly string[],
  now: Date,
): RenewalPlan {
  if (!state) return "ca";
  if (nearExpiry(state.ca.certPem, now)) return "ca";
  if (nearExpiry(state.leaf.certPem, now)) return "leaf";
  const names = certInfo(state.leaf.certPem).dnsNames;
  if (names.length !== hosts.length || hosts.some((h) => !names.includes(h))) return "leaf";
  if (!isSignedBy(state.leaf.certPem, state.ca.certPem)) return "leaf";
  return "none";
}

export async function renew(
  state: AuthorityState | undefined,
  plan: RenewalPlan,
  hosts: readonly string[],
  now: Date,
  timings: AuthorityTimings = {},
): Promise<AuthorityState> {
  if (plan === "none" && state) return state;
  const leafOpts = { now, validityMs: timings.leafValidityMs ?? LEAF_VALIDITY_MS };
  if (plan === "leaf" && state) {
    const leaf = await issueServingCert(state.ca, hosts, leafOpts);
    return { ...state, leaf };
  }
  const ca = await generateCa({ now, validityMs: timings.caValidityMs ?? CA_VALIDITY_MS });
  const leaf = await issueServingCert(ca, hosts, leafOpts);
  const previous = state && !expiredAt(state.ca.certPem, now) ? state.ca.certPem : undefined;
  return previous ? { ca, leaf, previousCaPem: previous } : { ca, leaf };
}

/** Margin for clock skew and slow followers before the previous CA leaves the bundle. */
const PREVIOUS_CA_MARGIN_MS = 3600_000;

/**
 * The caBundle: the current CA, then the previous one for as long as a
 * serving certificate it signed can still be in use (one leaf lifetime after
 * the rotation, plus a margin), and never past its own expiry.
 */
export function caBundle(state: AuthorityState, now: Date, timings: AuthorityTimings = {}): string {
  const prev = state.previousCaPem;
  if (!prev || expiredAt(prev, now)) return state.ca.certPem;
  const rotatedAt = certInfo(state.ca.certPem).notBefore.getTime();
  const leafLife = timings.leafValidityMs ?? LEAF_VALIDITY_MS;
  const stillNeeded = now.getTime() < rotatedAt + leafLife + PREVIOUS_CA_MARGIN_MS;
  return stillNeeded ? state.ca.certPem + prev : state.ca.certPem;
}

export function toSecretData(state: AuthorityState): Record<string, string> {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return {
    [SECRET_KEYS.cert]: b64(state.leaf.certPem),
    [SECRET_KEYS.key]: b64(state.leaf.keyPem),
    [SECRET_KEYS.caCert]: b64(state.ca.certPem),
    [SECRET_KEYS.caKey]: b64(state.ca.keyPem),
    ...(state.previousCaPem ? { [SECRET_KEYS.previousCa]: b64(state.previousCaPem) } : {}),
  };
}

/** Undefined when the Secret lacks a key or holds something that is not PEM. */
export function fromSecretData(
  data: Record<string, string> | undefined,
): AuthorityState | undefined {
  if (!data) return undefined;
  const get = (k: string) =>
    data[k] ? Buffer.from(data[k], "base64").toString("utf8") : undefined;
  const cert = get(SECRET_KEYS.cert);
  const key = get(SECRET_KEYS.key);
  const caCert = get(SECRET_KEYS.caCert);
  const caKey = get(SECRET_KEYS.caKey);
  if (!cert || !key || !caCert || !caKey) return undefined;
  try {
    certInfo(cert);
    certInfo(caCert);
  } catch {
    return undefined;
  }
  const previousCaPem = get(SECRET_KEYS.previousCa);
  const state = { ca: { certPem: caCert, keyPem: caKey }, leaf: { certPem: cert, keyPem: key } };
  return previousCaPem ? { ...state, previousCaPem } : state;
}

function nearExpiry(certPem: string, now: Date): boolean {
  const { notBefore, notAfter } = certInfo(certPem);
  const life = notAfter.getTime() - notBefore.getTime();
  return notAfter.getTime() - now.getTime() < life / 3;
}

function expiredAt(certPem: string, now: Date): boolean {
  return certInfo(certPem).notAfter.getTime() <= now.getTime();
}
