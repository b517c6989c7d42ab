import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { VaultClient } from "../../../shared/vault/index.ts";
import { createJwtSigner } from "../../support/jwt-signer.ts";
import type { JwtSigner } from "../../support/jwt-signer.ts";
import { testCluster, type TestCluster } from "../../support/cluster/client.ts";
import {
  serviceAccountToken,
  trustClusterTokenReview,
  type TokenReviewTrust,
} from "../../support/cluster/vault-trust.ts";
import { startOpenBao } from "../../support/openbao.ts";
import type { OpenBaoServer } from "../../support/openbao.ts";

let bao: OpenBaoServer;
let signer: JwtSigner;
let cluster: TestCluster;
/** where service account web, the kubernetes role's, lives */
let ns: string;
let review: TokenReviewTrust | undefined;

before(async () => {
  signer = await createJwtSigner({ alg: "ES256" });
  cluster = testCluster();
  const [server, namespace] = await Promise.all([startOpenBao(), cluster.createNamespace("shop")]);
  bao = server;
  ns = namespace;
  await cluster.kubectl(["create", "serviceaccount", "web", "-n", ns]);
  await bao.enableKvV2("kv");
  await bao.kvPut("kv", "app", { greeting: "hello" });
  await bao.writePolicy("app", 'path "kv/data/app" { capabilities = ["read"] }');
  await bao.enableJwtAuth({ mount: "jwt", signer });
  await bao.jwtRole("jwt", "ci", {
    boundAudiences: ["vault"],
    boundClaims: { project_path: "group/app" },
    userClaim: "user_login",
    policies: ["app"],
    tokenTtl: "2m",
    tokenMaxTtl: "4m",
  });
  review = await trustClusterTokenReview(bao, cluster, { namespace: ns, mount: "k8s" });
  await bao.api("POST", "auth/k8s/role/web", {
    bound_service_account_names: ["web"],
    bound_service_account_namespaces: [ns],
    audience: "vault",
    token_policies: ["app"],
    token_ttl: "3m",
  });
});
after(async () => {
  await review?.remove();
  await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

function client(): VaultClient {
  return new VaultClient({ address: bao.address, timeoutMs: 5000, retries: 0 });
}

test("jwt login with a GitLab-shaped id_token, then read with the new token", async () => {
  const vault = client();
  const jwt = await signer.gitlabIdToken({ projectPath: "group/app", audience: "vault" });
  const auth = await vault.login("auth/jwt", { role: "ci", jwt });
  assert.ok(auth.client_token.length > 10);
  assert.equal(auth.lease_duration, 120);
  assert.equal(auth.renewable, true);
  assert.ok(auth.token_policies?.includes("app"));
  vault.setToken(auth.client_token);
  const secret = await vault.read("kv/data/app");
  assert.equal((secret.data as { data: { greeting: string } }).data.greeting, "hello");
  vault.close();
});

test("kubernetes login through the cluster's TokenReview, mount given without auth/", async () => {
  const vault = client();
  const jwt = await serviceAccountToken(cluster, ns, "web", { audience: "vault" });
  const auth = await vault.login("k8s", { role: "web", jwt });
  assert.equal(auth.lease_duration, 180);
  assert.equal(auth.metadata?.service_account_namespace, ns);
  vault.setToken(auth.client_token);
  assert.equal(
    (await vault.read("kv/data/app")).data !== null,
    true,
    "the kubernetes token reads what its policy allows",
  );
  vault.close();
});

test("token lookup-self, renew-self with an increment, revoke-self", async () => {
  const vault = client();
  const jwt = await signer.gitlabIdToken({ projectPath: "group/app", audience: "vault" });
  vault.setToken((await vault.login("jwt", { role: "ci", jwt })).client_token);

  const info = await vault.tokenLookupSelf();
  assert.equal(typeof info.ttl, "number", "lookup numbers are plain numbers");
  assert.ok(info.ttl > 100 && info.ttl <= 120);
  assert.equal(info.renewable, true);
  assert.ok(info.policies.includes("app"));

  const renewed = await vault.tokenRenewSelf(200_000);
  assert.equal(renewed.lease_duration, 200);
  const capped = await vault.tokenRenewSelf(3_600_000);
  assert.ok(capped.lease_duration <= 240, "renewal capped at token_max_ttl");

  await vault.tokenRevokeSelf();
  await assert.rejects(vault.tokenLookupSelf(), { code: "VAULT_PERMISSION_DENIED", status: 403 });
  vault.close();
});

test("a bad login is a typed error naming the mount, without the presented JWT", async () => {
  const vault = client();
  const jwt = await signer.gitlabIdToken({ projectPath: "group/other", audience: "vault" });
  await assert.rejects(vault.login("jwt", { role: "ci", jwt }), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.equal((err as { code?: string }).code, "VAULT_BAD_REQUEST");
    assert.match(err.message, /PUT \/v1\/auth\/jwt\/login/);
    assert.ok(!err.message.includes(jwt));
    return true;
  });
  vault.close();
});

test("namespace header: a client with a namespace reads that namespace's mounts", async () => {
  await bao.api("POST", "sys/namespaces/team");
  await bao.api("POST", "team/sys/mounts/kvt", { type: "kv", options: { version: "2" } });
  await bao.api("POST", "team/kvt/data/cfg", { data: { where: "team" } });
  const vault = new VaultClient({
    address: bao.address,
    token: bao.rootToken,
    namespace: "team",
    retries: 0,
  });
  const res = await vault.read("kvt/data/cfg");
  assert.equal((res.data as { data: { where: string } }).data.where, "team");
  assert.equal(await vault.kvVersion("kvt/cfg"), 2);
  vault.close();
});
