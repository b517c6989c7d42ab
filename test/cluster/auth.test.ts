/**
 * Both login paths of the examples against the test cluster's own identity:
 * OpenBao's kubernetes auth through the API server's real TokenReview (with a
 * reviewer token of a ServiceAccount bound to system:auth-delegator, as
 * deploy/examples/vault/trust.sh sets it up), and jwt auth with the keys the
 * API server publishes at its JWKS endpoint. The credential is what the
 * kubelet would project into a pod: a TokenRequest for audience "vault" bound
 * to a running pod. Once the pod is deleted, the TokenReview refuses that
 * token; jwt auth, which checks signatures offline, cannot know, and keeps
 * accepting it until it expires (deploy/docs/reliability.md says so).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { TestCluster } from "../support/cluster/client.ts";
import { PROBE_IMAGE, testCluster } from "../support/cluster/client.ts";
import { componentLog } from "../support/cluster/layout.ts";
import { BaoApiError } from "../support/openbao-admin.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import {
  serviceAccountToken,
  trustClusterJwt,
  trustClusterTokenReview,
  type TokenOptions,
  type TokenReviewTrust,
} from "../support/cluster/vault-trust.ts";

let cluster: TestCluster;
let bao: OpenBaoServer;
let ns: string;
let podToken: string;

let review: TokenReviewTrust | undefined;

const token = (sa: string, opts: TokenOptions = {}) => serviceAccountToken(cluster, ns, sa, opts);

async function login(mount: string, jwt: string): Promise<{ policies: string[] } | Error> {
  return bao
    .api<{ auth: { policies: string[] } }>("POST", `auth/${mount}/login`, { role: "app", jwt })
    .then((r) => r.auth)
    .catch((err: Error) => err);
}

async function trustCluster(): Promise<void> {
  await bao.api("POST", "sys/policy/app", {
    policy: 'path "secret/data/app" { capabilities = ["read"] }',
  });
  review = await trustClusterTokenReview(bao, cluster, { namespace: ns });
  await bao.api("POST", "auth/kubernetes/role/app", {
    bound_service_account_names: ["app"],
    bound_service_account_namespaces: [ns],
    audience: "vault",
    token_policies: ["app"],
    token_ttl: "5m",
  });
  await trustClusterJwt(bao, cluster);
  await bao.api("POST", "auth/kubernetes-jwt/role/app", {
    role_type: "jwt",
    user_claim: "sub",
    bound_audiences: ["vault"],
    bound_subject: `system:serviceaccount:${ns}:app`,
    token_policies: ["app"],
    token_ttl: "5m",
  });
}

before(async () => {
  cluster = testCluster();
  ns = await cluster.createNamespace("auth");
  bao = await startOpenBao();
  await trustCluster();
  await cluster.kubectl(["create", "serviceaccount", "app", "-n", ns]);
  await cluster.apply(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "holder" },
      spec: {
        serviceAccountName: "app",
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
        containers: [
          {
            name: "sleep",
            image: PROBE_IMAGE,
            imagePullPolicy: "Never",
            args: ["sleep"],
            securityContext: {
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ["ALL"] },
            },
          },
        ],
      },
    },
    ns,
  );
  await cluster.waitForPod(ns, "holder", "Running");
  podToken = await token("app", { audience: "vault", pod: "holder" });
});

after(async () => {
  await review?.remove();
  await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

const failure = (what: string, result: unknown) =>
  `${what}: ${result instanceof Error ? result.message : "logged in"}\n` +
  `kube-apiserver log: ${componentLog(cluster.layout, "kube-apiserver")}`;

test("kubernetes auth: OpenBao's TokenReview at the API server accepts a pod-bound token for audience vault", async () => {
  const auth = await login("kubernetes", podToken);
  assert.ok(!(auth instanceof Error), failure("kubernetes auth login", auth));
  assert.ok(auth.policies.includes("app"));
});

test("jwt auth: the token verifies with the keys from the API server's JWKS endpoint", async () => {
  const auth = await login("kubernetes-jwt", podToken);
  assert.ok(!(auth instanceof Error), failure("jwt auth login", auth));
  assert.ok(auth.policies.includes("app"));
});

test("a token for another audience is refused by both", async () => {
  const other = await token("app", { audience: "https://elsewhere.example" });
  for (const mount of ["kubernetes", "kubernetes-jwt"]) {
    const result = await login(mount, other);
    assert.ok(result instanceof BaoApiError, `${mount} accepted a token for another audience`);
  }
});

test("once its pod is deleted, the bound token no longer logs in through the TokenReview; jwt auth cannot know until it expires", async () => {
  await cluster.kubectl(["delete", "pod", "holder", "-n", ns, "--wait=true", "--timeout=60s"]);
  // the API server caches a successful authentication for 10 s (its token
  // cache), so the refusal comes within that, not at once
  const deadline = Date.now() + 60_000;
  let result = await login("kubernetes", podToken);
  while (!(result instanceof BaoApiError) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    result = await login("kubernetes", podToken);
  }
  assert.ok(result instanceof BaoApiError, failure("60 s after its pod's deletion", result));
  assert.equal(result.status, 403);
  // offline signature checks: the documented reason to keep projected tokens short-lived
  const offline = await login("kubernetes-jwt", podToken);
  assert.ok(!(offline instanceof Error), failure("jwt auth after the pod's deletion", offline));
});
