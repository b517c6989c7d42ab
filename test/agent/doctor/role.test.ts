import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UnsecuredJWT } from "jose";
import { readTokenClaims } from "../../../agent/doctor/claims.ts";
import { globMatch, roleFindings } from "../../../agent/doctor/role-findings.ts";

const claims = readTokenClaims(
  new UnsecuredJWT({
    sub: "system:serviceaccount:shop:web",
    aud: ["vault"],
    project_path: "group/app",
    "kubernetes.io": { namespace: "shop", serviceaccount: { name: "web" } },
  }).encode(),
);
const codes = (f: { code: string }[]) => f.map((x) => x.code);

/** Role bodies as OpenBao returns them from GET auth/<mount>/role/<name>. */
describe("roleFindings", () => {
  it("kubernetes: names the binding that refuses the token", () => {
    const role = {
      bound_service_account_names: ["api", "worker-*"],
      bound_service_account_namespaces: ["prod"],
      audience: "https://vault.example",
      token_policies: ["app"],
    };
    const f = roleFindings("kubernetes", "web", role, claims);
    assert.deepEqual(codes(f), [
      "ROLE_SERVICE_ACCOUNT_MISMATCH",
      "ROLE_NAMESPACE_MISMATCH",
      "ROLE_AUDIENCE_MISMATCH",
    ]);
    assert.match(
      f[0]!.message,
      /allows service accounts "api", "worker-\*"; the token is for "web"/,
    );
    assert.match(
      f[2]!.message,
      /expects audience "https:\/\/vault.example"; the token has "vault"/,
    );
  });

  it("kubernetes: globs and a full match", () => {
    const role = {
      bound_service_account_names: ["w*"],
      bound_service_account_namespaces: ["*"],
      token_policies: ["app"],
    };
    const f = roleFindings("kubernetes", "web", role, claims);
    assert.deepEqual(codes(f), ["ROLE_BINDINGS_MATCH"]);
    assert.match(f[0]!.message, /policies: "app"/);
  });

  it("jwt: audiences, subject and bound claims", () => {
    const role = {
      bound_audiences: ["vault"],
      bound_subject: "system:serviceaccount:shop:api",
      bound_claims: { project_path: ["group/other"], "/kubernetes.io/namespace": "shop" },
    };
    const f = roleFindings("jwt", "ci", role, claims);
    assert.deepEqual(codes(f), ["ROLE_SUBJECT_MISMATCH", "ROLE_CLAIM_MISMATCH"]);
    assert.match(
      f[1]!.message,
      /claim "project_path" to be "group\/other"; the token has "group\/app"/,
    );
    const globbed = roleFindings(
      "jwt",
      "ci",
      { bound_claims_type: "glob", bound_claims: { project_path: "group/*" } },
      claims,
    );
    assert.deepEqual(codes(globbed), ["ROLE_BINDINGS_MATCH"]);
  });

  it("globMatch treats only * as special", () => {
    assert.equal(globMatch("web-*", "web-1"), true);
    assert.equal(globMatch("*-prod", "shop-prod"), true);
    assert.equal(globMatch("a.b", "axb"), false);
    assert.equal(globMatch("web", "web2"), false);
  });
});
