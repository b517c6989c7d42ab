/**
 * OpenBao trusting the test cluster's own identity as the examples'
 * trust.sh sets it up (the examples' mounts and roles themselves:
 * test/deploy/example-vault.ts),
 * shared by the real-pod tests, the Vault-client and doctor tests, and the
 * demo:
 *
 *   await trustClusterJwt(bao, cluster, "kubernetes-jwt"); // jwt auth with the cluster's JWKS
 *   const review = await trustClusterTokenReview(bao, cluster, { namespace: ns });
 *   ...                                                   // kubernetes auth through the real TokenReview
 *   await review.remove();                                 // its ClusterRoleBinding is cluster-wide
 *   const jwt = await serviceAccountToken(cluster, ns, "web", { audience: "vault", pod: "p" });
 *
 * Kubernetes auth is configured as deploy/examples/vault/trust.sh does it: the
 * API server's address and CA, and the token of a ServiceAccount bound to
 * system:auth-delegator, with which OpenBao calls the TokenReview API.
 * Tokens come from the TokenRequest API, as the kubelet's projected ones do.
 */
import { createPublicKey, type JsonWebKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BaoAdmin } from "../openbao-admin.ts";
import type { TestCluster } from "./client.ts";

type Obj = Record<string, unknown>;

/** Points the jwt auth `mount` (enabled when missing) at the API server's JWKS and issuer. */
export async function trustClusterJwt(
  bao: BaoAdmin,
  cluster: TestCluster,
  mount = "kubernetes-jwt",
): Promise<{ issuer: string }> {
  await enableIfMissing(bao, mount, "jwt");
  const jwks = JSON.parse(await cluster.kubectl(["get", "--raw", "/openid/v1/jwks"])) as {
    keys: JsonWebKey[];
  };
  const { issuer } = JSON.parse(
    await cluster.kubectl(["get", "--raw", "/.well-known/openid-configuration"]),
  ) as { issuer: string };
  await bao.api("POST", `auth/${mount}/config`, {
    jwt_validation_pubkeys: jwks.keys.map((k) =>
      createPublicKey({ key: k, format: "jwk" }).export({ type: "spki", format: "pem" }).toString(),
    ),
    bound_issuer: issuer,
  });
  return { issuer };
}

export interface TokenReviewTrust {
  /** the cluster-wide ClusterRoleBinding that lets the reviewer call TokenReview */
  readonly binding: string;
  /** deletes the ClusterRoleBinding (the namespace takes the ServiceAccount with it) */
  remove(): Promise<void>;
}

/**
 * Kubernetes auth at `mount` (enabled when missing) through the cluster's
 * TokenReview, with a reviewer ServiceAccount created in `namespace`.
 */
export async function trustClusterTokenReview(
  bao: BaoAdmin,
  cluster: TestCluster,
  opts: { namespace: string; mount?: string },
): Promise<TokenReviewTrust> {
  const mount = opts.mount ?? "kubernetes";
  const ns = opts.namespace;
  const binding = `vaultlet-test-reviewer-${ns}`;
  await enableIfMissing(bao, mount, "kubernetes");
  // a second OpenBao trusting the same namespace shares its reviewer
  const unlessExists = (err: Error) => {
    if (!/AlreadyExists|already exists/.test(err.message)) throw err;
    return "";
  };
  await cluster
    .kubectl(["create", "serviceaccount", "vault-reviewer", "-n", ns])
    .catch(unlessExists);
  await cluster
    .kubectl([
      ...["create", "clusterrolebinding", binding],
      ...["--clusterrole=system:auth-delegator", `--serviceaccount=${ns}:vault-reviewer`],
    ])
    .catch(unlessExists);
  await bao.api("POST", `auth/${mount}/config`, {
    kubernetes_host: cluster.server,
    kubernetes_ca_cert: readFileSync(join(cluster.layout.pkiDir, "ca.crt"), "utf8"),
    token_reviewer_jwt: await serviceAccountToken(cluster, ns, "vault-reviewer", {
      duration: "2h",
    }),
  });
  return {
    binding,
    remove: () =>
      cluster.kubectl(["delete", "clusterrolebinding", binding, "--ignore-not-found"]).then(
        () => undefined,
        () => undefined,
      ),
  };
}

export interface TokenOptions {
  /** the token's audience; default the API server's own */
  audience?: string;
  /** bind the token to this pod: it stops working once the pod is deleted */
  pod?: string;
  /** default 10m, the shortest the API server issues */
  duration?: string;
}

/** A TokenRequest for `serviceAccount` in `namespace`, as the kubelet would project it. */
export async function serviceAccountToken(
  cluster: TestCluster,
  namespace: string,
  serviceAccount: string,
  opts: TokenOptions = {},
): Promise<string> {
  const args = [
    ...["create", "token", serviceAccount, "-n", namespace],
    `--duration=${opts.duration ?? "10m"}`,
    ...(opts.audience ? [`--audience=${opts.audience}`] : []),
    ...(opts.pod ? ["--bound-object-kind=Pod", `--bound-object-name=${opts.pod}`] : []),
  ];
  return (await cluster.kubectl(args)).trim();
}

/** Makes the role `name` on `mount` accept only `namespace`'s service accounts (roles.sh binds the example's). */
export async function rebindRole(
  bao: BaoAdmin,
  mount: string,
  name: string,
  fields: Obj,
): Promise<void> {
  const role = await bao.api<{ data: Obj }>("GET", `auth/${mount}/role/${name}`);
  await bao.api("POST", `auth/${mount}/role/${name}`, { ...role.data, ...fields });
}

async function enableIfMissing(bao: BaoAdmin, mount: string, type: string): Promise<void> {
  const mounts = await bao.api<{ data?: Record<string, unknown> }>("GET", "sys/auth");
  const table = mounts.data ?? (mounts as Record<string, unknown>);
  if (!(`${mount}/` in table)) await bao.enableAuth(mount, type);
}
