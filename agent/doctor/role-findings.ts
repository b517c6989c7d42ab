import { claimValue, type TokenClaims } from "./claims.ts";
import { list, type Finding } from "./findings.ts";

/** A role as `GET auth/<mount>/role/<name>` returns it (the fields the doctor compares). */
export type RoleConfig = Record<string, unknown>;

const strings = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === "string")
    : typeof v === "string" && v
      ? [v]
      : [];

/** Vault's kubernetes role globs: "*" alone, or "*" as a prefix or suffix wildcard. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return re.test(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Compares the role's bindings with the token's claims, for when an
 * operator token may read the role: names exactly which binding refuses the
 * token, where Vault's own message says only "not authorized".
 */
export function roleFindings(
  method: string,
  roleName: string,
  role: RoleConfig,
  claims: TokenClaims,
): Finding[] {
  const out =
    method === "kubernetes"
      ? kubernetesBindings(roleName, role, claims)
      : jwtBindings(roleName, role, claims);
  if (out.length === 0) {
    out.push({
      code: "ROLE_BINDINGS_MATCH",
      severity: "info",
      message: `the token matches every binding of role "${roleName}"; policies: ${list(strings(role.token_policies ?? role.policies))}`,
    });
  }
  return out;
}

function mismatch(code: string, message: string, fix: string): Finding {
  return { code, severity: "error", message, fix };
}

function kubernetesBindings(roleName: string, role: RoleConfig, claims: TokenClaims): Finding[] {
  const out: Finding[] = [];
  const sa = claims.kubernetes?.serviceAccount ?? "";
  const ns = claims.kubernetes?.namespace ?? "";
  const names = strings(role.bound_service_account_names);
  if (!names.some((p) => globMatch(p, sa))) {
    out.push(
      mismatch(
        "ROLE_SERVICE_ACCOUNT_MISMATCH",
        `role "${roleName}" allows service accounts ${list(names)}; the token is for "${sa}"`,
        `add "${sa}" to bound_service_account_names or run the pod as one of those service accounts`,
      ),
    );
  }
  const namespaces = strings(role.bound_service_account_namespaces);
  const selector = role.bound_service_account_namespace_selector;
  if (!selector && !namespaces.some((p) => globMatch(p, ns))) {
    out.push(
      mismatch(
        "ROLE_NAMESPACE_MISMATCH",
        `role "${roleName}" allows namespaces ${list(namespaces)}; the token is from "${ns}"`,
        `add "${ns}" to bound_service_account_namespaces`,
      ),
    );
  }
  const audience = strings(role.audience);
  if (audience.length > 0 && !audience.some((a) => claims.audience.includes(a))) {
    out.push(
      mismatch(
        "ROLE_AUDIENCE_MISMATCH",
        `role "${roleName}" expects audience ${list(audience)}; the token has ${list(claims.audience)}`,
        `request the token with audience ${list(audience)}, or set the role's audience to one the token has`,
      ),
    );
  }
  return out;
}

function jwtBindings(roleName: string, role: RoleConfig, claims: TokenClaims): Finding[] {
  const out: Finding[] = [];
  const audiences = strings(role.bound_audiences);
  if (audiences.length > 0 && !audiences.some((a) => claims.audience.includes(a))) {
    out.push(
      mismatch(
        "ROLE_AUDIENCE_MISMATCH",
        `role "${roleName}" expects audience ${list(audiences)} (bound_audiences); the token has ${list(claims.audience)}`,
        `request the token with audience ${list(audiences)}, or add one of the token's audiences to bound_audiences`,
      ),
    );
  }
  const subject = typeof role.bound_subject === "string" ? role.bound_subject : "";
  if (subject && subject !== claims.subject) {
    out.push(
      mismatch(
        "ROLE_SUBJECT_MISMATCH",
        `role "${roleName}" is bound to subject "${subject}"; the token's subject is "${claims.subject ?? ""}"`,
        "use a token for that subject, or change bound_subject",
      ),
    );
  }
  const bound = role.bound_claims;
  if (bound && typeof bound === "object") {
    const glob = role.bound_claims_type === "glob";
    for (const [name, allowed] of Object.entries(bound as Record<string, unknown>)) {
      const want = strings(allowed);
      const raw = claimValue(claims.payload, name);
      const have = Array.isArray(raw) ? raw.map(String) : raw === undefined ? [] : [String(raw)];
      const ok = have.some((h) => want.some((w) => (glob ? globMatch(w, h) : w === h)));
      if (!ok) {
        out.push(
          mismatch(
            "ROLE_CLAIM_MISMATCH",
            `role "${roleName}" needs claim "${name}" to be ${list(want)}; the token has ${have.length ? list(have) : "none"}`,
            `use a token whose "${name}" the role allows, or add the value to bound_claims`,
          ),
        );
      }
    }
  }
  return out;
}
