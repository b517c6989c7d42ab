import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createJwtSigner } from "../../support/jwt-signer.ts";
import {
  configureKubernetesAuth,
  kubernetesRole,
  startTokenReviewStandin,
} from "../../support/k8s-tokenreview-standin.ts";
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

async function kubernetesSetup() {
  const bao = await startOpenBao();
  await bao.writePolicy("app", KV_POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { greeting: "hello-from-vault" });
  const signer = await createJwtSigner();
  const standin = await startTokenReviewStandin({ signer });
  await configureKubernetesAuth(bao, standin, { mount: "kubernetes" });
  await kubernetesRole(bao, "kubernetes", "web", {
    serviceAccountNames: ["web"],
    namespaces: ["shop"],
    audience: "vault",
    policies: ["app"],
  });
  return { bao, signer, standin, dir: tempDir() };
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
  const { bao, signer, standin, dir } = await kubernetesSetup();
  const tokenPath = join(dir, "token");
  const jwt = await signer.kubernetesToken({
    namespace: "shop",
    serviceAccount: "web",
    audience: "vault",
  });
  writeFileSync(tokenPath, jwt);
  const out = join(dir, "out");
  const agent = runInProcess(kubernetesConfig(bao.address, tokenPath, out, true));
  assert.equal(await agent.done, 0);
  assert.equal(readFileSync(out, "utf8"), "hello-from-vault");
  assert.equal(standin.reviews.length, 1, "one login, one TokenReview");
  assert.equal(standin.reviews[0]?.authenticated, true);
  agent.logs.assertNoSecrets([jwt, "hello-from-vault"]);
});

test("a service account the role does not allow is rejected with a clear error and exit code 1", async () => {
  const { bao, signer, dir } = await kubernetesSetup();
  const tokenPath = join(dir, "token");
  const jwt = await signer.kubernetesToken({
    namespace: "shop",
    serviceAccount: "intruder",
    audience: "vault",
  });
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
