import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import { parseAllDocuments } from "yaml";

/**
 * The webhook's permissions as Kubernetes' RBAC would grant them from the
 * plain manifests (deploy/manifests/vaultlet.yaml, rendered from the chart):
 * a small evaluator of Roles, ClusterRoles and their bindings answers "may
 * the webhook's service account do VERB on RESOURCE NAME in NAMESPACE?".
 * It must never read a Secret outside its own namespace, nor list or watch
 * Secrets anywhere.
 */

const MANIFESTS = new URL("../../../deploy/manifests/vaultlet.yaml", import.meta.url);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

interface Grant {
  /** undefined: every namespace (ClusterRoleBinding) */
  readonly namespace: string | undefined;
  readonly rules: Rule[];
}

const matches = (list: string[] | undefined, value: string) =>
  list !== undefined && (list.includes("*") || list.includes(value));

function grantsFor(objects: Json[], sa: { name: string; namespace: string }): Grant[] {
  const role = (kind: string, name: string, ns?: string): Json =>
    objects.find(
      (o) =>
        o.kind === kind &&
        o.metadata.name === name &&
        (ns === undefined || o.metadata.namespace === ns),
    );
  const isSubject = (b: Json) =>
    (b.subjects ?? []).some(
      (s: Json) =>
        s.kind === "ServiceAccount" && s.name === sa.name && s.namespace === sa.namespace,
    );
  const out: Grant[] = [];
  for (const b of objects.filter((o) => o.kind === "ClusterRoleBinding" && isSubject(o))) {
    const r = role(b.roleRef.kind, b.roleRef.name);
    assert.ok(r, `ClusterRoleBinding ${b.metadata.name} refers to a missing ${b.roleRef.kind}`);
    out.push({ namespace: undefined, rules: r.rules ?? [] });
  }
  for (const b of objects.filter((o) => o.kind === "RoleBinding" && isSubject(o))) {
    const ns = b.metadata.namespace;
    const r =
      b.roleRef.kind === "ClusterRole"
        ? role("ClusterRole", b.roleRef.name)
        : role("Role", b.roleRef.name, ns);
    assert.ok(r, `RoleBinding ${b.metadata.name} refers to a missing ${b.roleRef.kind}`);
    out.push({ namespace: ns, rules: r.rules ?? [] });
  }
  return out;
}

/** RBAC's answer for a request on a core-group resource (name undefined: list/watch/create). */
function allowed(
  grants: Grant[],
  verb: string,
  resource: string,
  namespace: string,
  name?: string,
): boolean {
  return grants.some(
    (g) =>
      (g.namespace === undefined || g.namespace === namespace) &&
      g.rules.some(
        (r) =>
          matches(r.apiGroups, "") &&
          matches(r.resources, resource) &&
          matches(r.verbs, verb) &&
          (r.resourceNames === undefined ||
            r.resourceNames.length === 0 ||
            (name !== undefined && r.resourceNames.includes(name))),
      ),
  );
}

describe("webhook RBAC (plain manifests)", async () => {
  const objects = parseAllDocuments(await readFile(MANIFESTS, "utf8"))
    .map((d) => d.toJSON() as Json)
    .filter((o) => o && typeof o === "object");
  const deployment = objects.find((o) => o.kind === "Deployment");
  const home: string = deployment.metadata.namespace;
  const sa = { name: deployment.spec.template.spec.serviceAccountName as string, namespace: home };
  const grants = grantsFor(objects, sa);

  test("the webhook's service account has bindings (the evaluator sees its grants)", () => {
    assert.ok(grants.length > 0);
    assert.equal(allowed(grants, "get", "secrets", home, "vaultlet-webhook-certs"), true);
  });

  test("it cannot get, list or watch Secrets in any other namespace, whatever the name", () => {
    const namespace = fc
      .oneof(
        fc.constantFrom("default", "kube-system", "app", "vault", home + "-x", "", "*"),
        fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
      )
      .filter((ns) => ns !== home);
    const name = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom("vaultlet-webhook-certs", "db"),
      fc.string(),
    );
    fc.assert(
      fc.property(namespace, fc.constantFrom("get", "list", "watch", "*"), name, (ns, verb, n) => {
        assert.equal(
          allowed(grants, verb, "secrets", ns, n),
          false,
          `${verb} secrets ${n ?? ""} in ${ns}`,
        );
      }),
      { numRuns: 500 },
    );
  });

  test("in its own namespace it reads only its certificate Secret, and lists or watches none", () => {
    for (const verb of ["list", "watch"])
      assert.equal(allowed(grants, verb, "secrets", home), false);
    fc.assert(
      fc.property(
        fc.string().filter((n) => n !== "vaultlet-webhook-certs"),
        (n) => {
          assert.equal(allowed(grants, "get", "secrets", home, n), false, `get secret ${n}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("no rule anywhere uses a wildcard or reaches pods' contents", () => {
    for (const g of grants)
      for (const r of g.rules) {
        for (const field of [r.apiGroups, r.resources, r.verbs])
          assert.ok(!field?.includes("*"), JSON.stringify(r));
        for (const res of ["pods", "pods/exec", "configmaps", "serviceaccounts/token"])
          assert.ok(!r.resources?.includes(res), `grants ${res}`);
      }
  });
});
