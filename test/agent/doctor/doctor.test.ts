import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runDoctor, type DoctorInput } from "../../../agent/doctor/run.ts";
import { PROBE_IMAGE, testCluster, type TestCluster } from "../../support/cluster/client.ts";
import {
  serviceAccountToken,
  trustClusterJwt,
  trustClusterTokenReview,
  type TokenReviewTrust,
} from "../../support/cluster/vault-trust.ts";
import { createJwtSigner, type JwtSigner } from "../../support/jwt-signer.ts";
import { assertNoSecretsIn } from "../../support/log-capture.ts";
import { startOpenBao, type OpenBaoServer } from "../../support/openbao.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const BIN = path.join(ROOT, "deploy/cli/bin.ts");

let bao: OpenBaoServer;
let cluster: TestCluster;
let review: TokenReviewTrust | undefined;
/** the namespace the roles are bound to, and one they are not */
let shop: string;
let staging: string;
/** a plain OIDC issuer (jwt auth on auth/jwt-ci), for tokens a cluster cannot make: expired ones */
let issuer: JwtSigner;
let dir: string;
let files = 0;

/** Service accounts web and batch in `shop`, web in `staging`; pod web-0 runs as shop's web. */
async function clusterIdentities(): Promise<void> {
  cluster = testCluster();
  [shop, staging] = await Promise.all([
    cluster.createNamespace("shop"),
    cluster.createNamespace("staging"),
  ]);
  for (const [ns, sa] of [
    [shop, "web"],
    [shop, "batch"],
    [staging, "web"],
  ] as const) {
    await cluster.kubectl(["create", "serviceaccount", sa, "-n", ns]);
  }
  await cluster.apply(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-0" },
      spec: {
        serviceAccountName: "web",
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
        containers: [
          { name: "sleep", image: PROBE_IMAGE, imagePullPolicy: "Never", args: ["sleep"] },
        ],
      },
    },
    shop,
  );
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vaultlet-doctor-"));
  const [server] = await Promise.all([
    startOpenBao({ audit: true, autoTeardown: false }),
    clusterIdentities(),
  ]);
  bao = server;
  await bao.enableKvV2("kv");
  await bao.enableKvV1("kv1");
  await bao.kvPut("kv", "app/db", { password: "kv2-secret-value" });
  await bao.kvPut("kv", "other", { password: "x" });
  await bao.kvPut("kv1", "app/db", { password: "kv1-secret-value" });
  await bao.writePolicy(
    "app",
    'path "kv/data/app/*" { capabilities = ["read"] }\npath "kv1/app/*" { capabilities = ["read"] }',
  );
  // Written the KV v1 way for a v2 mount: the classic mistake.
  await bao.writePolicy("legacy", 'path "kv/app/*" { capabilities = ["read"] }');
  await trustClusterJwt(bao, cluster, "jwt");
  for (const [role, policy] of [
    ["web", "app"],
    ["legacy", "legacy"],
  ] as const) {
    await bao.jwtRole("jwt", role, {
      boundAudiences: ["vault"],
      boundSubject: `system:serviceaccount:${shop}:web`,
      policies: [policy],
      ...(role === "web" ? { tokenTtl: "5m" } : {}),
    });
  }
  review = await trustClusterTokenReview(bao, cluster, { namespace: shop });
  await bao.api("POST", "auth/kubernetes/role/web", {
    bound_service_account_names: ["web"],
    bound_service_account_namespaces: [shop],
    audience: "vault",
    token_policies: ["app"],
  });
  issuer = await bao.enableJwtAuth({ mount: "jwt-ci", alg: "RS256" });
  await bao.jwtRole("jwt-ci", "deploy", { boundAudiences: ["vault"], policies: ["app"] });
});
after(async () => {
  await Promise.all([bao?.stop(), review?.remove()]);
  for (const ns of [shop, staging]) {
    await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
});

async function tokenFile(jwt: string): Promise<string> {
  const file = path.join(dir, `token-${files++}`);
  await writeFile(file, `${jwt}\n`);
  return file;
}

/** A TokenRequest token, as the kubelet projects it; shop's web is bound to pod web-0. */
function podToken(over: { namespace?: string; serviceAccount?: string; audience?: string } = {}) {
  const namespace = over.namespace ?? shop;
  const serviceAccount = over.serviceAccount ?? "web";
  const bound = namespace === shop && serviceAccount === "web";
  return serviceAccountToken(cluster, namespace, serviceAccount, {
    audience: over.audience ?? "vault",
    ...(bound ? { pod: "web-0" } : {}),
  });
}

/** The same claims signed by a key the cluster never had: a token it did not issue. */
async function forged(jwt: string): Promise<string> {
  const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<
    string,
    unknown
  >;
  const stranger = await createJwtSigner({ alg: "RS256" });
  const { iss, sub, aud, exp, iat, ...rest } = claims as {
    iss: string;
    sub: string;
    aud: string[];
    exp: number;
    iat: number;
  };
  return stranger.signJwt({ iss, sub, aud, exp, iat, claims: rest });
}

async function doctor(jwt: string, over: Partial<DoctorInput> = {}) {
  return runDoctor({
    address: bao.address,
    method: "jwt",
    mount: "auth/jwt",
    role: "web",
    tokenFile: await tokenFile(jwt),
    checkPaths: [],
    ...over,
  });
}

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

/** Runs `vaultlet doctor ...` as users do; returns exit code and output, which never holds the root token. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "doctor", ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => {
      try {
        assertNoSecretsIn(out, [bao.rootToken]);
        resolve({ code, out });
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

describe("vaultlet doctor against OpenBao", () => {
  it("prints the claims, logs in, exits 0 and never prints the token", async () => {
    const jwt = await podToken();
    const file = await tokenFile(jwt);
    const { code, out } = await cli([
      `-token-file=${file}`,
      "-role=web",
      "-mount=auth/jwt",
      `-vault-addr=${bao.address}`,
      "-check-path=kv/data/app/db",
    ]);
    assert.equal(code, 0, out);
    assert.match(out, /issuer: +https:\/\/kubernetes\.default\.svc\.cluster\.local/);
    assert.match(out, new RegExp(`subject: +system:serviceaccount:${shop}:web`));
    assert.match(out, /audience: +vault/);
    assert.match(out, /expires: +\S+ \(in \d+m\d+s\)/);
    assert.match(out, new RegExp(`kubernetes: namespace ${shop}, service account web, pod web-0`));
    assert.match(out, /logged in; policies: app, default; token ttl 5m0s/);
    assert.match(out, /PATH_READABLE: the token can read kv\/data\/app\/db/);
    assert.ok(!out.includes(jwt), "the JWT is not printed");
    assert.ok(!out.includes(jwt.split(".")[2]!), "not even its signature");
    assert.doesNotMatch(out, /hvs\.|s\.[A-Za-z0-9]{20}/, "no Vault token is printed");
    assert.doesNotMatch(out, /kv2-secret-value/, "no secret value is printed");
  });

  it("revokes the Vault token it obtained", async () => {
    const before = bao.auditRequests({ pathPrefix: "auth/token/revoke-self" }).length;
    const report = await doctor(await podToken());
    assert.equal(report.login?.ok, true);
    assert.equal(bao.auditRequests({ pathPrefix: "auth/token/revoke-self" }).length, before + 1);
  });

  it("explains an audience mismatch and exits 1", async () => {
    const file = await tokenFile(await podToken({ audience: "https://kubernetes.default.svc" }));
    const { code, out } = await cli([
      `-token-file=${file}`,
      "-role=web",
      "-mount=jwt",
      `-vault-addr=${bao.address}`,
    ]);
    assert.equal(code, 1, out);
    assert.match(out, /refused \(HTTP 400\)/);
    assert.match(
      out,
      /AUDIENCE_MISMATCH: the token's audience "https:\/\/kubernetes.default.svc" is not one that role "web" accepts/,
    );
    assert.match(out, /fix: make them match/);
  });

  it("explains an expired token from its claims and from Vault's answer", async () => {
    // the API server issues tokens for 10 minutes at least: an OIDC issuer of its own makes one
    const now = Math.floor(Date.now() / 1000);
    const jwt = await issuer.signJwt({
      sub: "deploy",
      aud: "vault",
      iat: now - 3600,
      exp: now - 600,
    });
    const report = await doctor(jwt, { mount: "auth/jwt-ci", role: "deploy" });
    assert.deepEqual(codes(report.token), ["TOKEN_EXPIRED"]);
    assert.deepEqual(codes(report.loginFindings), ["TOKEN_EXPIRED"]);
    assert.match(report.loginFindings[0]!.message, /expired 10m\d+s ago/);
    assert.equal(report.ok, false);
  });

  it("explains a token for another service account (jwt bound_subject)", async () => {
    const report = await doctor(await podToken({ serviceAccount: "batch" }));
    assert.deepEqual(codes(report.loginFindings), ["SUBJECT_MISMATCH"]);
    assert.match(
      report.loginFindings[0]!.message,
      new RegExp(`service account "batch" in namespace "${shop}"`),
    );
  });

  describe("kubernetes auth (the cluster's TokenReview)", () => {
    const k8s = { method: "kubernetes", mount: "auth/kubernetes" } as const;

    it("logs in with the right service account", async () => {
      const report = await doctor(await podToken(), k8s);
      assert.equal(report.login?.ok, true);
      assert.deepEqual(report.login?.policies, ["app", "default"].sort());
      assert.equal(report.ok, true);
    });

    it("explains a service account the role is not bound to", async () => {
      const report = await doctor(await podToken({ serviceAccount: "batch" }), k8s);
      assert.deepEqual(codes(report.loginFindings), ["SERVICE_ACCOUNT_NOT_AUTHORIZED"]);
      assert.match(
        report.loginFindings[0]!.fix!,
        /add "batch" to the role's bound_service_account_names/,
      );
    });

    it("explains a namespace the role is not bound to", async () => {
      const report = await doctor(await podToken({ namespace: staging }), k8s);
      assert.deepEqual(codes(report.loginFindings), ["NAMESPACE_NOT_AUTHORIZED"]);
      assert.match(report.loginFindings[0]!.fix!, new RegExp(`"${staging}"`));
    });

    it("explains an audience mismatch", async () => {
      const report = await doctor(await podToken({ audience: "api" }), k8s);
      assert.deepEqual(codes(report.loginFindings), ["AUDIENCE_MISMATCH"]);
      assert.match(report.loginFindings[0]!.message, /the role's audience/);
    });

    it("explains a token the cluster does not confirm", async () => {
      const report = await doctor(await forged(await podToken()), k8s);
      assert.deepEqual(codes(report.loginFindings), ["TOKEN_REVIEW_REFUSED"]);
    });
  });

  it("compares the role's bindings when VAULT_TOKEN may read the role", async () => {
    const jwtReport = await doctor(await podToken({ audience: "api" }), {
      operatorToken: bao.rootToken,
    });
    assert.deepEqual(codes(jwtReport.role), ["ROLE_AUDIENCE_MISMATCH"]);
    assert.match(
      jwtReport.role[0]!.message,
      /expects audience "vault" \(bound_audiences\); the token has "api"/,
    );
    const k8sReport = await doctor(await podToken({ serviceAccount: "batch" }), {
      method: "kubernetes",
      mount: "auth/kubernetes",
      operatorToken: bao.rootToken,
    });
    assert.deepEqual(codes(k8sReport.role), ["ROLE_SERVICE_ACCOUNT_MISMATCH"]);
    const file = await tokenFile(await podToken({ namespace: staging }));
    const { code, out } = await cli(
      [`-token-file=${file}`, "-role=web", "-mount=kubernetes", `-vault-addr=${bao.address}`],
      { VAULT_TOKEN: bao.rootToken },
    );
    assert.equal(code, 1);
    assert.match(
      out,
      new RegExp(
        `role auth/kubernetes/role/web:\\n.*ROLE_NAMESPACE_MISMATCH: role "web" allows namespaces "${shop}"; the token is from "${staging}"`,
      ),
    );
    assert.ok(!out.includes(bao.rootToken), "the operator's token is not printed");
  });

  it("explains a role that does not exist and a mount that does not exist", async () => {
    const jwt = await podToken();
    const noRole = await doctor(jwt, { role: "wbe" });
    assert.deepEqual(codes(noRole.loginFindings), ["ROLE_NOT_FOUND"]);
    const noMount = await doctor(jwt, { mount: "auth/oidc-typo" });
    assert.deepEqual(codes(noMount.loginFindings), ["AUTH_MOUNT_NOT_FOUND"]);
  });

  it("explains a token signed by a key the mount does not trust", async () => {
    const report = await doctor(await forged(await podToken()));
    assert.deepEqual(codes(report.loginFindings), ["SIGNATURE_NOT_TRUSTED"]);
  });

  describe("-check-path", () => {
    it("explains permission denied with the token's policies", async () => {
      const report = await doctor(await podToken(), { checkPaths: ["kv/data/other"] });
      assert.equal(report.login?.ok, true);
      const [f] = report.paths[0]!.findings;
      assert.equal(f!.code, "PERMISSION_DENIED");
      assert.match(f!.message, /\("app", "default"\) do not grant read on kv\/data\/other/);
      assert.equal(report.ok, false);
    });

    it("explains a KV v2 secret read without data/", async () => {
      const report = await doctor(await podToken(), { checkPaths: ["/v1/kv/app/db"] });
      const [f] = report.paths[0]!.findings;
      assert.equal(f!.code, "KV2_PATH_WITHOUT_DATA");
      assert.match(
        f!.message,
        /read at kv\/data\/app\/db, not kv\/app\/db \(and this token may read/,
      );
    });

    it("explains data/ on a KV v1 mount", async () => {
      const report = await doctor(await podToken(), { checkPaths: ["kv1/data/app/db"] });
      assert.deepEqual(codes(report.paths[0]!.findings), ["KV1_PATH_WITH_DATA"]);
    });

    it("spots a policy written without data/", async () => {
      const report = await doctor(await podToken(), {
        role: "legacy",
        checkPaths: ["kv/data/app/db"],
      });
      assert.deepEqual(codes(report.paths[0]!.findings), ["POLICY_WITHOUT_DATA"]);
    });

    it("tells a missing secret from a denied one", async () => {
      const report = await doctor(await podToken(), { checkPaths: ["kv/data/app/none"] });
      assert.deepEqual(codes(report.paths[0]!.findings), ["PATH_NOT_FOUND"]);
    });
  });

  it("reads the login from an agent config file", async () => {
    const file = await tokenFile(await podToken());
    const config = path.join(dir, "agent.hcl");
    await writeFile(
      config,
      `vault {
  address = "${bao.address}"
}
auto_auth {
  method "jwt" {
    mount_path = "auth/jwt"
    config = {
      path = "${file}"
      role = "web"
    }
  }
}
`,
    );
    const ok = await cli([`-config=${config}`, "-check-path=kv/data/app/db"]);
    assert.equal(ok.code, 0, ok.out);
    assert.match(
      ok.out,
      /login: http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/jwt\/login, role "web" \(jwt\)/,
    );
    const flagWins = await cli([`-config=${config}`, "-role=nope"]);
    assert.equal(flagWins.code, 1);
    assert.match(flagWins.out, /ROLE_NOT_FOUND: there is no role "nope" on auth\/jwt/);
  });

  it("says clearly when Vault cannot be reached or input is missing", async () => {
    const file = await tokenFile(await podToken());
    const down = await cli([`-token-file=${file}`, "-role=web", "-vault-addr=http://127.0.0.1:9"]);
    assert.equal(down.code, 1);
    assert.match(down.out, /VAULT_UNREACHABLE: cannot reach Vault at http:\/\/127\.0\.0\.1:9/);
    assert.match(
      down.out,
      new RegExp(`subject: +system:serviceaccount:${shop}:web`),
      "the claims are still shown",
    );
    const noRole = await cli([`-token-file=${file}`, `-vault-addr=${bao.address}`]);
    assert.equal(noRole.code, 2);
    assert.match(noRole.out, /give the role/);
    const notJwt = await cli([
      `-token-file=${await tokenFile("s.AbCdEfGhIjKlMnOpQrStUvWx")}`,
      "-role=web",
      `-vault-addr=${bao.address}`,
    ]);
    assert.equal(notJwt.code, 1);
    assert.match(notJwt.out, /TOKEN_NOT_JWT/);
    assert.doesNotMatch(notJwt.out, /AbCdEfGh/);
  });
});
