import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runDoctor, type DoctorInput } from "../../../agent/doctor/run.ts";
import { createJwtSigner, type JwtSigner } from "../../support/jwt-signer.ts";
import {
  configureKubernetesAuth,
  kubernetesRole,
  startTokenReviewStandin,
} from "../../support/k8s-tokenreview-standin.ts";
import { assertNoSecretsIn } from "../../support/log-capture.ts";
import { startOpenBao, type OpenBaoServer } from "../../support/openbao.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const BIN = path.join(ROOT, "deploy/cli/bin.ts");

let bao: OpenBaoServer;
let signer: JwtSigner;
let dir: string;
let files = 0;
let stopStandin: (() => Promise<void>) | undefined;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vaultlet-doctor-"));
  signer = await createJwtSigner({ alg: "RS256" });
  const [server, standin] = await Promise.all([
    startOpenBao({ audit: true, autoTeardown: false }),
    startTokenReviewStandin({ signer, autoTeardown: false }),
  ]);
  bao = server;
  stopStandin = () => standin.stop();
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
  await bao.enableJwtAuth({ mount: "jwt", signer });
  await bao.jwtRole("jwt", "web", {
    boundAudiences: ["vault"],
    boundSubject: "system:serviceaccount:shop:web",
    policies: ["app"],
    tokenTtl: "5m",
  });
  await bao.jwtRole("jwt", "legacy", {
    boundAudiences: ["vault"],
    boundSubject: "system:serviceaccount:shop:web",
    policies: ["legacy"],
  });
  await configureKubernetesAuth(bao, standin);
  await kubernetesRole(bao, "kubernetes", "web", {
    serviceAccountNames: ["web"],
    namespaces: ["shop"],
    audience: "vault",
    policies: ["app"],
  });
});
after(async () => {
  await Promise.all([bao?.stop(), stopStandin?.()]);
  await rm(dir, { recursive: true, force: true });
});

async function tokenFile(jwt: string): Promise<string> {
  const file = path.join(dir, `token-${files++}`);
  await writeFile(file, `${jwt}\n`);
  return file;
}

function podToken(over: { namespace?: string; serviceAccount?: string; audience?: string[] } = {}) {
  return signer.kubernetesToken({
    namespace: over.namespace ?? "shop",
    serviceAccount: over.serviceAccount ?? "web",
    audience: over.audience ?? ["vault"],
  });
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
    assert.match(out, /subject: +system:serviceaccount:shop:web/);
    assert.match(out, /audience: +vault/);
    assert.match(out, /expires: +\S+ \(in \d+m\d+s\)/);
    assert.match(out, /kubernetes: namespace shop, service account web, pod web-/);
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
    const file = await tokenFile(await podToken({ audience: ["https://kubernetes.default.svc"] }));
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
    const jwt = await signer.kubernetesToken({
      namespace: "shop",
      serviceAccount: "web",
      audience: ["vault"],
      expiredSecondsAgo: 600,
    });
    const report = await doctor(jwt);
    assert.deepEqual(codes(report.token), ["TOKEN_EXPIRED"]);
    assert.deepEqual(codes(report.loginFindings), ["TOKEN_EXPIRED"]);
    assert.match(report.loginFindings[0]!.message, /expired 10m\d+s ago/);
    assert.equal(report.ok, false);
  });

  it("explains a token for another service account (jwt bound_subject)", async () => {
    const report = await doctor(await podToken({ serviceAccount: "batch" }));
    assert.deepEqual(codes(report.loginFindings), ["SUBJECT_MISMATCH"]);
    assert.match(report.loginFindings[0]!.message, /service account "batch" in namespace "shop"/);
  });

  describe("kubernetes auth (TokenReview stand-in)", () => {
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
      const report = await doctor(await podToken({ namespace: "staging" }), k8s);
      assert.deepEqual(codes(report.loginFindings), ["NAMESPACE_NOT_AUTHORIZED"]);
      assert.match(report.loginFindings[0]!.fix!, /"staging"/);
    });

    it("explains an audience mismatch", async () => {
      const report = await doctor(await podToken({ audience: ["api"] }), k8s);
      assert.deepEqual(codes(report.loginFindings), ["AUDIENCE_MISMATCH"]);
      assert.match(report.loginFindings[0]!.message, /the role's audience/);
    });

    it("explains a token the cluster does not confirm", async () => {
      const stranger = await createJwtSigner({ alg: "RS256" });
      const jwt = await stranger.kubernetesToken({
        namespace: "shop",
        serviceAccount: "web",
        audience: ["vault"],
      });
      const report = await doctor(jwt, k8s);
      assert.deepEqual(codes(report.loginFindings), ["TOKEN_REVIEW_REFUSED"]);
    });
  });

  it("compares the role's bindings when VAULT_TOKEN may read the role", async () => {
    const jwtReport = await doctor(await podToken({ audience: ["api"] }), {
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
    const file = await tokenFile(await podToken({ namespace: "staging" }));
    const { code, out } = await cli(
      [`-token-file=${file}`, "-role=web", "-mount=kubernetes", `-vault-addr=${bao.address}`],
      { VAULT_TOKEN: bao.rootToken },
    );
    assert.equal(code, 1);
    assert.match(
      out,
      /role auth\/kubernetes\/role\/web:\n.*ROLE_NAMESPACE_MISMATCH: role "web" allows namespaces "shop"; the token is from "staging"/,
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
    const stranger = await createJwtSigner();
    const report = await doctor(
      await stranger.kubernetesToken({
        namespace: "shop",
        serviceAccount: "web",
        audience: ["vault"],
      }),
    );
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
      /subject: +system:serviceaccount:shop:web/,
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
