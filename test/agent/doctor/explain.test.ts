import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UnsecuredJWT } from "jose";
import { claimValue, readTokenClaims } from "../../../agent/doctor/claims.ts";
import {
  loginFindings,
  splitMultiError,
  type LoginContext,
} from "../../../agent/doctor/login-findings.ts";
import { kvCounterpart, pathFindings } from "../../../agent/doctor/path-findings.ts";
import { tokenFindings } from "../../../agent/doctor/token-findings.ts";
import type { VaultAnswer } from "../../../agent/doctor/findings.ts";

const NOW = new Date("2026-03-01T12:00:00Z");
const nowS = NOW.getTime() / 1000;

/** An unsigned token: the doctor never verifies, so the shape is all that matters. */
function token(claims: Record<string, unknown>): string {
  return new UnsecuredJWT(claims).encode();
}

const k8sClaims = {
  iss: "https://kubernetes.default.svc.cluster.local",
  sub: "system:serviceaccount:shop:web",
  aud: ["vault"],
  exp: nowS + 600,
  iat: nowS - 10,
  nbf: nowS - 10,
  "kubernetes.io": {
    namespace: "shop",
    pod: { name: "web-abc", uid: "1" },
    serviceaccount: { name: "web", uid: "2" },
  },
};

function ctx(over: Partial<LoginContext> = {}, claims = k8sClaims): LoginContext {
  return {
    method: "kubernetes",
    mount: "auth/kubernetes",
    role: "web",
    claims: readTokenClaims(token(claims)),
    now: NOW,
    ...over,
  };
}

/** Vault's own answers, as recorded from OpenBao 2.x. */
const answer = (status: number, ...errors: string[]): VaultAnswer => ({
  status,
  errors,
  warnings: [],
});

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe("readTokenClaims", () => {
  it("reads a projected service-account token", () => {
    const c = readTokenClaims(token(k8sClaims));
    assert.equal(c.issuer, k8sClaims.iss);
    assert.equal(c.subject, "system:serviceaccount:shop:web");
    assert.deepEqual(c.audience, ["vault"]);
    assert.equal(c.audienceIsList, true);
    assert.equal(c.expiresAt?.toISOString(), "2026-03-01T12:10:00.000Z");
    assert.deepEqual(c.kubernetes, { namespace: "shop", serviceAccount: "web", pod: "web-abc" });
    assert.equal(c.algorithm, "none");
  });

  it("reads legacy service-account claims and plain subjects", () => {
    const legacy = readTokenClaims(
      token({
        sub: "system:serviceaccount:ops:old",
        "kubernetes.io/serviceaccount/namespace": "ops",
        "kubernetes.io/serviceaccount/service-account.name": "old",
      }),
    );
    assert.deepEqual(legacy.kubernetes, { namespace: "ops", serviceAccount: "old" });
    const bySubject = readTokenClaims(token({ sub: "system:serviceaccount:a:b", aud: "x" }));
    assert.deepEqual(bySubject.kubernetes, { namespace: "a", serviceAccount: "b" });
    assert.equal(bySubject.audienceIsList, false);
    const ci = readTokenClaims(token({ sub: "repo:org/app:ref:refs/heads/main" }));
    assert.equal(ci.kubernetes, undefined);
  });

  it("refuses something that is not a JWT, without echoing it", () => {
    assert.throws(
      () => readTokenClaims("s.notajwt-secret"),
      (err: Error & { code?: string }) =>
        err.code === "DOCTOR_TOKEN_INVALID" && !err.message.includes("notajwt"),
    );
  });

  it("finds bound-claim values by name or JSON pointer", () => {
    const { payload } = readTokenClaims(token(k8sClaims));
    assert.equal(claimValue(payload, "/kubernetes.io/namespace"), "shop");
    assert.equal(claimValue(payload, "sub"), "system:serviceaccount:shop:web");
    assert.equal(claimValue(payload, "/kubernetes.io/missing/x"), undefined);
  });
});

describe("tokenFindings", () => {
  it("is quiet about a good token", () => {
    assert.deepEqual(tokenFindings(readTokenClaims(token(k8sClaims)), "kubernetes", NOW), []);
  });

  it("says how long ago an expired token expired", () => {
    const [f] = tokenFindings(
      readTokenClaims(token({ ...k8sClaims, exp: nowS - 330 })),
      "jwt",
      NOW,
    );
    assert.equal(f!.code, "TOKEN_EXPIRED");
    assert.match(f!.message, /expired 5m30s ago/);
  });

  it("flags tokens not valid yet, without audience, without expiry, soon expiring", () => {
    const later = tokenFindings(
      readTokenClaims(token({ ...k8sClaims, nbf: nowS + 120 })),
      "jwt",
      NOW,
    );
    assert.deepEqual(codes(later), ["TOKEN_NOT_YET_VALID"]);
    const bare = tokenFindings(readTokenClaims(token({ sub: "x" })), "jwt", NOW);
    assert.deepEqual(codes(bare), ["TOKEN_NO_EXPIRY", "TOKEN_NO_AUDIENCE"]);
    const soon = tokenFindings(
      readTokenClaims(token({ ...k8sClaims, exp: nowS + 20 })),
      "jwt",
      NOW,
    );
    assert.deepEqual(codes(soon), ["TOKEN_EXPIRES_SOON"]);
  });

  it("warns that the kubernetes method needs aud as a list", () => {
    const f = tokenFindings(
      readTokenClaims(token({ ...k8sClaims, aud: "vault" })),
      "kubernetes",
      NOW,
    );
    assert.deepEqual(codes(f), ["TOKEN_AUDIENCE_NOT_LIST"]);
  });
});

describe("loginFindings", () => {
  const table: [string, LoginContext, VaultAnswer, string, RegExp][] = [
    [
      "jwt audience mismatch",
      ctx({ method: "jwt", mount: "auth/jwt" }),
      answer(
        400,
        "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
      ),
      "AUDIENCE_MISMATCH",
      /audience "vault" is not one that role "web" accepts \(the role's bound_audiences\)/,
    ],
    [
      "kubernetes audience mismatch",
      ctx(),
      answer(
        403,
        "invalid audience (aud) claim: audience claim does not match any expected audience",
      ),
      "AUDIENCE_MISMATCH",
      /the role's audience/,
    ],
    [
      "expired token",
      ctx({}, { ...k8sClaims, exp: nowS - 90 }),
      answer(400, "error validating token: invalid expiration time (exp) claim: token is expired"),
      "TOKEN_EXPIRED",
      /expired 1m30s ago/,
    ],
    [
      "service account not bound",
      ctx(),
      answer(403, "service account name not authorized"),
      "SERVICE_ACCOUNT_NOT_AUTHORIZED",
      /service account "web" in namespace "shop"/,
    ],
    [
      "namespace not bound",
      ctx(),
      answer(403, "namespace not authorized"),
      "NAMESPACE_NOT_AUTHORIZED",
      /bound to other namespaces/,
    ],
    [
      "jwt bound_subject",
      ctx({ method: "jwt" }),
      answer(400, "error validating token: invalid subject (sub) claim"),
      "SUBJECT_MISMATCH",
      /system:serviceaccount:shop:web/,
    ],
    [
      "jwt bound_claims",
      ctx({ method: "jwt" }),
      answer(
        400,
        'error validating claims: claim "/kubernetes.io/namespace" does not match any associated bound claim values',
      ),
      "BOUND_CLAIM_MISMATCH",
      /claim "\/kubernetes.io\/namespace" is "shop"/,
    ],
    [
      "jwt role missing",
      ctx({ method: "jwt", role: "nope" }),
      answer(400, 'role "nope" could not be found'),
      "ROLE_NOT_FOUND",
      /no role "nope" on auth\/kubernetes/,
    ],
    [
      "kubernetes role missing",
      ctx({ role: "nope" }),
      answer(400, 'invalid role name "nope"'),
      "ROLE_NOT_FOUND",
      /no role "nope"/,
    ],
    [
      "untrusted signature",
      ctx({ method: "jwt" }),
      answer(
        400,
        "error validating token: error verifying token signature: no known key successfully validated the token signature",
      ),
      "SIGNATURE_NOT_TRUSTED",
      /could not verify the token's signature/,
    ],
    [
      "string aud on the kubernetes method",
      ctx(),
      answer(
        500,
        "decoding failed due to the following error(s):\n\n'aud' source data must be an array or slice, got string",
      ),
      "AUDIENCE_NOT_LIST",
      /single string/,
    ],
    [
      "TokenReview refused",
      ctx({ mountAnswers: true }),
      answer(403, "permission denied"),
      "TOKEN_REVIEW_REFUSED",
      /TokenReview/,
    ],
    [
      "no such auth mount",
      ctx({ mount: "auth/k8s", mountAnswers: false }),
      answer(403, "permission denied"),
      "AUTH_MOUNT_NOT_FOUND",
      /no auth method is enabled at auth\/k8s/,
    ],
    [
      "a wording never seen before",
      ctx(),
      answer(400, "something new went wrong"),
      "LOGIN_FAILED",
      /HTTP 400\): something new went wrong/,
    ],
  ];
  for (const [title, context, vault, code, message] of table) {
    it(title, () => {
      const findings = loginFindings(context, vault);
      assert.deepEqual(codes(findings), [code]);
      assert.match(findings[0]!.message, message);
      if (code !== "LOGIN_FAILED") assert.ok(findings[0]!.fix, "a fix is suggested");
    });
  }

  it("unwraps Vault's multi-error text", () => {
    assert.deepEqual(splitMultiError("1 error occurred:\n\t* permission denied\n\n"), [
      "permission denied",
    ]);
    assert.deepEqual(splitMultiError("plain"), ["plain"]);
  });
});

describe("pathFindings", () => {
  const kv2 = { path: "kv/", type: "kv", version: "2" };
  const kv1 = { path: "kv1/", type: "kv", version: "1" };
  const v2Warning: VaultAnswer = {
    status: 404,
    errors: [],
    warnings: [
      "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use.",
    ],
  };

  it("finds the counterpart path of a KV secret", () => {
    assert.equal(kvCounterpart("kv/app/db", kv2), "kv/data/app/db");
    assert.equal(kvCounterpart("kv/data/app/db", kv2), undefined);
    assert.equal(kvCounterpart("kv/metadata/app", kv2), undefined);
    assert.equal(kvCounterpart("kv1/data/app/db", kv1), "kv1/app/db");
    assert.equal(kvCounterpart("kv1/app/db", kv1), undefined);
    assert.equal(kvCounterpart("pki/issue/x", { path: "pki/", type: "pki" }), undefined);
  });

  it("explains a v1-style path on a KV v2 mount", () => {
    const [f] = pathFindings({
      path: "kv/app/db",
      read: v2Warning,
      mount: kv2,
      policies: ["default", "app"],
      capabilities: { "kv/app/db": ["deny"], "kv/data/app/db": ["read"] },
    });
    assert.equal(f!.code, "KV2_PATH_WITHOUT_DATA");
    assert.match(f!.message, /read at kv\/data\/app\/db.*this token may read/);
    assert.match(f!.fix!, /\.Data\.data/);
  });

  it("explains data/ on a KV v1 mount", () => {
    const [f] = pathFindings({
      path: "kv1/data/app/db",
      read: answer(403, "1 error occurred:\n\t* permission denied\n\n"),
      mount: kv1,
      policies: ["default"],
    });
    assert.equal(f!.code, "KV1_PATH_WITH_DATA");
    assert.match(f!.message, /the secret is at kv1\/app\/db/);
  });

  it("spots a policy written without data/ for a KV v2 mount", () => {
    const [f] = pathFindings({
      path: "kv/data/app/db",
      read: answer(403, "1 error occurred:\n\t* permission denied\n\n"),
      mount: kv2,
      policies: ["default", "legacy"],
      capabilities: { "kv/data/app/db": ["deny"], "kv/app/db": ["read"] },
    });
    assert.equal(f!.code, "POLICY_WITHOUT_DATA");
    assert.match(f!.fix!, /path "kv\/data\/app\/db"/);
  });

  it("names the policies that do not grant a path", () => {
    const [f] = pathFindings({
      path: "kv/data/other",
      read: answer(403, "permission denied"),
      mount: kv2,
      policies: ["default", "app"],
      capabilities: { "kv/data/other": ["deny"], "kv/other": ["deny"] },
    });
    assert.equal(f!.code, "PERMISSION_DENIED");
    assert.match(f!.message, /\("default", "app"\) do not grant read on kv\/data\/other/);
  });

  it("tells a denied unknown mount, a missing secret and a readable one apart", () => {
    assert.deepEqual(
      codes(
        pathFindings({ path: "secret/x", read: answer(403, "permission denied"), policies: [] }),
      ),
      ["PATH_NO_ACCESS"],
    );
    assert.deepEqual(
      codes(pathFindings({ path: "kv/data/none", read: answer(404), mount: kv2, policies: [] })),
      ["PATH_NOT_FOUND"],
    );
    assert.deepEqual(
      codes(pathFindings({ path: "kv/data/app", read: answer(200), mount: kv2, policies: [] })),
      ["PATH_READABLE"],
    );
  });
});
