import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testCluster, type TestCluster } from "../../support/cluster/client.ts";
import {
  serviceAccountToken,
  trustClusterTokenReview,
  type TokenReviewTrust,
} from "../../support/cluster/vault-trust.ts";
import { startOpenBao } from "../../support/openbao.ts";
import {
  baoWithJwt,
  baseConfig,
  fileTemplate,
  jwtAuth,
  runInProcess,
  tempDir,
  kvPut,
} from "../agent-harness.ts";

const KV_POLICY = `path "kv/data/*" { capabilities = ["read"] }`;
const TEMPLATE = '{{ with secret "kv/app" }}{{ .Data.data.greeting }}{{ end }}';

let cluster: TestCluster;
/** service accounts web (the role's) and intruder (not the role's) live here */
let ns: string;
const reviews: TokenReviewTrust[] = [];

before(async () => {
  cluster = testCluster();
  ns = await cluster.createNamespace("login");
  for (const sa of ["web", "intruder"]) {
    await cluster.kubectl(["create", "serviceaccount", sa, "-n", ns]);
  }
});
after(async () => {
  for (const review of reviews) await review.remove();
  await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

/** OpenBao with kubernetes auth through the test cluster's TokenReview; role web for ns's web. */
async function kubernetesSetup() {
  const bao = await startOpenBao({ audit: true });
  await bao.writePolicy("app", KV_POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { greeting: "hello-from-vault" });
  reviews.push(await trustClusterTokenReview(bao, cluster, { namespace: ns }));
  await bao.api("POST", "auth/kubernetes/role/web", {
    bound_service_account_names: ["web"],
    bound_service_account_namespaces: [ns],
    audience: "vault",
    token_policies: ["app"],
  });
  return { bao, dir: tempDir() };
}

function kubernetesConfig(address: string, tokenPath: string, out: string, once: boolean) {
  return baseConfig({
    vault: { address },
    exit_after_auth: once,
    auto_auth: {
      method: {
        type: "kubernetes",
        mount_path: "auth/kubernetes",
        config: { role: "web", token_path: tokenPath },
        min_backoff: 200,
        max_backoff: 1000,
        exit_on_err: false,
      },
      sinks: [],
    },
    template: [fileTemplate(out, TEMPLATE)],
  });
}

test("kubernetes login with the pod's projected token renders the secret", async () => {
  const { bao, dir } = await kubernetesSetup();
  const tokenPath = join(dir, "token");
  const jwt = await serviceAccountToken(cluster, ns, "web", { audience: "vault" });
  writeFileSync(tokenPath, jwt);
  const out = join(dir, "out");
  const agent = runInProcess(kubernetesConfig(bao.address, tokenPath, out, true));
  assert.equal(await agent.done, 0);
  assert.equal(readFileSync(out, "utf8"), "hello-from-vault");
  const logins = bao.auditRequests({ pathPrefix: "auth/kubernetes/login" });
  assert.equal(logins.length, 1, "one login (OpenBao asked the API server's TokenReview)");
  agent.logs.assertNoSecrets([jwt, "hello-from-vault"]);
});

test("a service account the role does not allow is rejected with a clear error and exit code 1", async () => {
  const { bao, dir } = await kubernetesSetup();
  const tokenPath = join(dir, "token");
  const jwt = await serviceAccountToken(cluster, ns, "intruder", { audience: "vault" });
  writeFileSync(tokenPath, jwt);
  const out = join(dir, "out");
  const agent = runInProcess(kubernetesConfig(bao.address, tokenPath, out, true));
  assert.equal(await agent.done, 1);
  assert.equal(existsSync(out), false);
  const failures = agent.logs.messages("login failed");
  assert.equal(failures.length, 1, "once mode does not retry a refused login");
  const error = String(failures[0]?.error);
  assert.match(error, /^login with kubernetes at auth\/kubernetes failed: /);
  assert.match(error, /service account/i);
  agent.logs.assertNoSecrets([jwt]);
});

test("jwt login; a token for another audience is rejected naming the audience", async () => {
  const { bao, signer, jwtPath, dir } = await baoWithJwt(KV_POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { greeting: "hello-from-vault" });
  const out = join(dir, "out");
  const ok = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      exit_after_auth: true,
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  assert.equal(await ok.done, 0);
  assert.equal(readFileSync(out, "utf8"), "hello-from-vault");

  const wrong = join(dir, "wrong-jwt");
  const wrongJwt = await signer.signJwt({ sub: "app", aud: "someone-else" });
  writeFileSync(wrong, wrongJwt);
  const bad = runInProcess(
    baseConfig({
      ...jwtAuth(bao, wrong),
      exit_after_auth: true,
      template: [fileTemplate(join(dir, "bad"), TEMPLATE)],
    }),
  );
  assert.equal(await bad.done, 1);
  const error = String(bad.logs.messages("login failed")[0]?.error);
  assert.match(error, /login with jwt at auth\/jwt failed: .*aud/);
  bad.logs.assertNoSecrets([wrongJwt]);
  ok.logs.assertNoSecrets([readFileSync(jwtPath, "utf8"), "hello-from-vault"]);
});
