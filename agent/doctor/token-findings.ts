import { formatDuration } from "../../shared/duration.ts";
import type { TokenClaims } from "./claims.ts";
import type { Finding } from "./findings.ts";

/** A token about to expire is worth a note: kubelet refreshes at 80% of its life. */
const EXPIRY_NOTE_MS = 60_000;

/** How long ago or ahead, in Go duration syntax rounded to seconds. */
export function roughDuration(ms: number): string {
  return formatDuration(Math.round(Math.abs(ms) / 1000) * 1000);
}

/** What can be said from the token alone, before asking Vault. */
export function tokenFindings(claims: TokenClaims, method: string, now: Date): Finding[] {
  const out: Finding[] = [];
  if (claims.expiresAt) {
    const left = claims.expiresAt.getTime() - now.getTime();
    if (left <= 0) out.push(expiredFinding(claims.expiresAt, now));
    else if (left < EXPIRY_NOTE_MS) {
      out.push({
        code: "TOKEN_EXPIRES_SOON",
        severity: "warning",
        message: `the token expires in ${roughDuration(left)}`,
        fix: "if the file is not refreshed, the next login will fail; projected tokens are rotated by the kubelet",
      });
    }
  } else {
    out.push({
      code: "TOKEN_NO_EXPIRY",
      severity: "warning",
      message: "the token has no expiry (exp); it is a long-lived token",
      fix: "prefer a projected service-account token (short-lived, audience-scoped)",
    });
  }
  if (claims.notBefore && claims.notBefore.getTime() > now.getTime()) {
    out.push({
      code: "TOKEN_NOT_YET_VALID",
      severity: "error",
      message: `the token is not valid before ${claims.notBefore.toISOString()} (${roughDuration(claims.notBefore.getTime() - now.getTime())} from now)`,
      fix: "the clocks of the token issuer and this machine disagree; fix the clock (NTP) or wait",
    });
  }
  if (claims.audience.length === 0) {
    out.push({
      code: "TOKEN_NO_AUDIENCE",
      severity: "warning",
      message:
        "the token has no audience (aud); roles with bound_audiences or audience will refuse it",
      fix: "request the token with an audience, e.g. a projected token with audience: vault",
    });
  }
  if (method === "kubernetes" && claims.audience.length > 0 && !claims.audienceIsList) {
    out.push({
      code: "TOKEN_AUDIENCE_NOT_LIST",
      severity: "warning",
      message:
        "the token's aud is a single string; Kubernetes issues a list, and the kubernetes auth method fails to decode a string",
      fix: "use a token issued by the Kubernetes API (projected service-account token), or the jwt method for other issuers",
    });
  }
  return out;
}

export function expiredFinding(expiresAt: Date, now: Date): Finding {
  return {
    code: "TOKEN_EXPIRED",
    severity: "error",
    message: `the token expired ${roughDuration(now.getTime() - expiresAt.getTime())} ago (at ${expiresAt.toISOString()})`,
    fix: "use a fresh token: projected tokens are rotated by the kubelet while the pod runs (check the volume is a projected serviceAccountToken, not a copied file); CI tokens live only as long as the job",
  };
}
