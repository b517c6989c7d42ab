import { claimValue, type TokenClaims } from "./claims.ts";
import { list, type Finding, type VaultAnswer } from "./findings.ts";
import { expiredFinding } from "./token-findings.ts";

/** The login the doctor tried. */
export interface LoginContext {
  /** "jwt" or "kubernetes" (others get the generic explanations) */
  method: string;
  /** e.g. "auth/kubernetes" */
  mount: string;
  role: string;
  /** undefined when the token could not be decoded */
  claims?: TokenClaims;
  now: Date;
  /**
   * For a bare 403 "permission denied": whether the mount answered a login
   * with an empty body with its own 400 (so it exists). Undefined: not probed.
   */
  mountAnswers?: boolean;
}

interface Rule {
  test: RegExp;
  explain: (ctx: LoginContext, match: RegExpExecArray, message: string) => Finding;
}

const audienceText = (c?: TokenClaims) => (c ? list(c.audience) : "(unknown)");
const identityText = (c?: TokenClaims) =>
  c?.kubernetes
    ? `service account "${c.kubernetes.serviceAccount ?? "?"}" in namespace "${c.kubernetes.namespace ?? "?"}"`
    : `subject "${c?.subject ?? "?"}"`;

/**
 * Vault's (and OpenBao's) login error texts for the jwt and kubernetes auth
 * methods, first match wins. The texts are the servers' own; a new wording
 * falls through to the generic explanation, which still quotes Vault.
 */
const RULES: Rule[] = [
  {
    test: /invalid audience \(aud\) claim|audience claim does not match|invalid audience/i,
    explain: (ctx) => ({
      code: "AUDIENCE_MISMATCH",
      severity: "error",
      message: `the token's audience ${audienceText(ctx.claims)} is not one that role "${ctx.role}" accepts (${ctx.method === "kubernetes" ? "the role's audience" : "the role's bound_audiences"})`,
      fix: `make them match: request the token with the role's audience (projected serviceAccountToken audience; vaultlet's webhook uses "vault" by default), or add ${audienceText(ctx.claims)} to the role`,
    }),
  },
  {
    test: /token is expired|invalid expiration time \(exp\)/i,
    explain: (ctx, _m, message) =>
      ctx.claims?.expiresAt
        ? expiredFinding(ctx.claims.expiresAt, ctx.now)
        : { code: "TOKEN_EXPIRED", severity: "error", message: `Vault says: ${message}` },
  },
  {
    test: /not yet valid|invalid not before|invalid issued at/i,
    explain: (_ctx, _m, message) => ({
      code: "TOKEN_NOT_YET_VALID",
      severity: "error",
      message: `Vault considers the token not valid yet: ${message}`,
      fix: "the clocks of the token issuer and the Vault server disagree; fix the clock (NTP) or raise the role's clock_skew_leeway",
    }),
  },
  {
    test: /service account name not authorized/i,
    explain: (ctx) => ({
      code: "SERVICE_ACCOUNT_NOT_AUTHORIZED",
      severity: "error",
      message: `role "${ctx.role}" is bound to other service accounts; this token is for ${identityText(ctx.claims)}`,
      fix: `add "${ctx.claims?.kubernetes?.serviceAccount ?? "the service account"}" to the role's bound_service_account_names, or run the pod as a service account the role lists (spec.serviceAccountName)`,
    }),
  },
  {
    test: /namespace not authorized/i,
    explain: (ctx) => ({
      code: "NAMESPACE_NOT_AUTHORIZED",
      severity: "error",
      message: `role "${ctx.role}" is bound to other namespaces; this token is for ${identityText(ctx.claims)}`,
      fix: `add "${ctx.claims?.kubernetes?.namespace ?? "the namespace"}" to the role's bound_service_account_namespaces, or use a role made for this namespace`,
    }),
  },
  {
    test: /invalid subject \(sub\) claim|sub claim does not match/i,
    explain: (ctx) => ({
      code: "SUBJECT_MISMATCH",
      severity: "error",
      message: `role "${ctx.role}" is bound to another subject (bound_subject); this token's subject is "${ctx.claims?.subject ?? "?"}"${ctx.claims?.kubernetes ? `, i.e. ${identityText(ctx.claims)}` : ""}`,
      fix: "set the role's bound_subject to this subject, or use the identity (service account, project, repository) the role was made for",
    }),
  },
  {
    test: /claim "([^"]+)" does not match any associated bound claim values/i,
    explain: (ctx, m) => ({
      code: "BOUND_CLAIM_MISMATCH",
      severity: "error",
      message: `the token's claim "${m[1]}" is ${describeClaim(ctx, m[1]!)}, which is not among role "${ctx.role}"'s bound_claims values`,
      fix: `add that value to the role's bound_claims["${m[1]}"], or use a token whose "${m[1]}" the role allows`,
    }),
  },
  {
    test: /claim "([^"]+)" (?:is missing|not found in token)/i,
    explain: (ctx, m) => ({
      code: "CLAIM_MISSING",
      severity: "error",
      message: `role "${ctx.role}" needs the claim "${m[1]}" (bound_claims or user_claim), and the token has none`,
      fix: `set the role's user_claim to a claim the token has (e.g. "sub"), or request a token that carries "${m[1]}"`,
    }),
  },
  {
    test: /role "([^"]+)" could not be found|invalid role name "([^"]+)"/i,
    explain: (ctx) => ({
      code: "ROLE_NOT_FOUND",
      severity: "error",
      message: `there is no role "${ctx.role}" on ${ctx.mount}`,
      fix: `check the role name (list them with: bao list ${ctx.mount}/role), and that the mount path is right`,
    }),
  },
  {
    test: /^missing role$/i,
    explain: (ctx) => ({
      code: "ROLE_MISSING",
      severity: "error",
      message: `no role was given and ${ctx.mount} has no default role`,
      fix: "give the role (-role, or role in the auth method's config)",
    }),
  },
  {
    test: /^missing jwt$/i,
    explain: () => ({
      code: "TOKEN_EMPTY",
      severity: "error",
      message: "the token sent was empty",
      fix: "check that the token file is not empty and is the one the pod mounts",
    }),
  },
  {
    test: /'aud' source data must be an array/i,
    explain: () => ({
      code: "AUDIENCE_NOT_LIST",
      severity: "error",
      message:
        "the kubernetes auth method could not decode the token: its aud is a single string, which Kubernetes never issues",
      fix: "log in with a token issued by the cluster (projected serviceAccountToken), or use the jwt auth method for this issuer",
    }),
  },
  {
    test: /invalid issuer \(iss\) claim|issuer.*does not match|bound_issuer/i,
    explain: (ctx) => ({
      code: "ISSUER_MISMATCH",
      severity: "error",
      message: `the token's issuer "${ctx.claims?.issuer ?? "?"}" is not the one ${ctx.mount} is configured for (bound_issuer / issuer)`,
      fix: "set the mount's bound_issuer (kubernetes: issuer) to the token's iss, or use a token from the configured issuer",
    }),
  },
  {
    test: /compact JWS format|malformed|illegal base64/i,
    explain: () => ({
      code: "TOKEN_MALFORMED",
      severity: "error",
      message: "Vault could not parse the token as a JWT",
      fix: "check that the file holds the token itself (one line, three dot-separated parts), not JSON or a Secret manifest",
    }),
  },
  {
    test: /no known key successfully validated|error verifying token signature|failed to verify|signature/i,
    explain: (ctx) => ({
      code: "SIGNATURE_NOT_TRUSTED",
      severity: "error",
      message: `${ctx.mount} could not verify the token's signature with the keys it trusts (token issuer "${ctx.claims?.issuer ?? "?"}", key id "${ctx.claims?.keyId ?? "?"}")`,
      fix: "point the mount at this issuer's keys (jwt_validation_pubkeys, jwks_url or oidc_discovery_url; kubernetes: pem_keys or the API's TokenReview); after a cluster key rotation, refresh them",
    }),
  },
  {
    test: /could not load backend configuration|not configured/i,
    explain: (ctx) => ({
      code: "MOUNT_NOT_CONFIGURED",
      severity: "error",
      message: `the auth method at ${ctx.mount} has no configuration yet`,
      fix: `write ${ctx.mount}/config (kubernetes_host for kubernetes; keys or discovery URL for jwt)`,
    }),
  },
];

function describeClaim(ctx: LoginContext, name: string): string {
  if (!ctx.claims) return "unknown";
  const value = claimValue(ctx.claims.payload, name);
  return value === undefined ? "absent" : JSON.stringify(value);
}

/** Why a login was refused, in plain words, from Vault's answer and the token's claims. */
export function loginFindings(ctx: LoginContext, answer: VaultAnswer): Finding[] {
  const messages = answer.errors.flatMap(splitMultiError);
  const out: Finding[] = [];
  for (const message of messages) {
    const rule = RULES.map((r) => ({ r, m: r.test.exec(message) })).find((x) => x.m);
    if (rule) out.push(rule.r.explain(ctx, rule.m!, message));
  }
  if (out.length > 0) return dedupe(out);
  if (answer.status === 403 && messages.every((m) => /^permission denied$/i.test(m))) {
    return [permissionDeniedAtLogin(ctx)];
  }
  return [
    {
      code: "LOGIN_FAILED",
      severity: "error",
      message: `Vault refused the login (HTTP ${answer.status}): ${messages.join("; ") || "(no message)"}`,
    },
  ];
}

/** Vault wraps some errors as "1 error occurred:\n\t* text\n\n". */
export function splitMultiError(text: string): string[] {
  const items = [...text.matchAll(/^\s*\*\s+(.+)$/gm)].map((m) => m[1]!.trim());
  return items.length > 0 ? items : [text.trim()];
}

function permissionDeniedAtLogin(ctx: LoginContext): Finding {
  if (ctx.mountAnswers === false) {
    return {
      code: "AUTH_MOUNT_NOT_FOUND",
      severity: "error",
      message: `no auth method is enabled at ${ctx.mount}`,
      fix: `check the mount path (mount_path in auto_auth, -mount here; list them with: bao auth list), e.g. auth/${ctx.method}`,
    };
  }
  if (ctx.method === "kubernetes") {
    return {
      code: "TOKEN_REVIEW_REFUSED",
      severity: "error",
      message:
        "the role's bindings matched, then the Kubernetes API did not confirm the token (TokenReview): the token was revoked (pod or service account deleted and recreated), or Vault could not ask the API",
      fix: "check the auth method's kubernetes_host and that Vault's reviewer token is allowed to create TokenReviews (ClusterRole system:auth-delegator); a token from a deleted pod never works again",
    };
  }
  return {
    code: "LOGIN_DENIED",
    severity: "error",
    message: `Vault answered "permission denied" to the login at ${ctx.mount}`,
    fix: "check the mount path and that the auth method is of the expected type",
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => !seen.has(f.code) && seen.add(f.code));
}
