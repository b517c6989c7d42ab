import { test } from "node:test";
import assert from "node:assert/strict";
import { createJwtSigner } from "./jwt-signer.ts";
import {
  configureKubernetesAuth,
  kubernetesRole,
  startTokenReviewStandin,
} from "./k8s-tokenreview-standin.ts";
import { startOpenBao } from "./openbao.ts";
import { BaoApiError } from "./openbao-admin.ts";

test("kubernetes auth through the TokenReview stand-in: bound names, namespaces and audience", async (t) => {
  const signer = await createJwtSigner({ alg: "RS256" });
  const [bao, standin] = await Promise.all([
    startOpenBao({ t }),
    startTokenReviewStandin({ signer, t }),
  ]);
  await configureKubernetesAuth(bao, standin);
  await bao.writePolicy("web", 'path "sys/health" { capabilities = ["read"] }');
  await kubernetesRole(bao, "kubernetes", "web", {
    serviceAccountNames: ["web"],
    namespaces: ["shop"],
    audience: "vault",
    policies: ["web"],
    tokenTtl: "3m",
  });

  const auth = await bao.login("kubernetes", {
    role: "web",
    jwt: await signer.kubernetesToken({ namespace: "shop", serviceAccount: "web" }),
  });
  assert.ok(auth.token_policies.includes("web"));
  assert.equal(auth.lease_duration, 180);
  assert.equal(auth.metadata?.service_account_name, "web");
  assert.equal(auth.metadata?.service_account_namespace, "shop");
  assert.deepEqual(standin.reviews.at(-1), {
    authenticated: true,
    username: "system:serviceaccount:shop:web",
    audiences: ["vault"],
  });

  const refused = async (jwt: string) =>
    assert.rejects(
      bao.login("kubernetes", { role: "web", jwt }),
      (err: unknown) => err instanceof BaoApiError && err.status === 403,
    );
  await refused(await signer.kubernetesToken({ namespace: "other", serviceAccount: "web" }));
  await refused(
    await signer.kubernetesToken({ namespace: "shop", serviceAccount: "web", audience: "api" }),
  );
  await refused(
    await signer.kubernetesToken({
      namespace: "shop",
      serviceAccount: "web",
      expiredSecondsAgo: 120,
    }),
  );
  const stranger = await createJwtSigner({ alg: "RS256" });
  await refused(await stranger.kubernetesToken({ namespace: "shop", serviceAccount: "web" }));
});
