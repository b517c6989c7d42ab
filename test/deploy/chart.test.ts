import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { stringify } from "yaml";
import {
  lintChart,
  renderChart,
  renderPlainManifests,
  PLAIN_MANIFESTS,
} from "../../deploy/chart/render.ts";
import { SETTINGS, settingsFromEnvAndFlags } from "../../webhook/settings.ts";
import { DEFAULT_CERT_SECRET, DEFAULT_LEADER_LEASE } from "../../webhook/tls/auto.ts";
import { only, parseObjects, validateObject, type K8sObject } from "./chart-helpers.ts";

const INJECT_ANNOTATION = "vault.hashicorp.com/agent-inject";

/** Values that change every knob the tests look at. */
const CUSTOM_VALUES = stringify({
  image: { repository: "registry.example/vaultlet-webhook", tag: "9.9.9" },
  agentImage: { repository: "registry.example/vaultlet-agent", tag: "9.9.9" },
  replicas: 3,
  vault: { address: "https://openbao.secrets:8200", authPath: "auth/k8s-prod" },
  agent: {
    nativeSidecar: false,
    tokenAudience: "openbao",
    tokenExpirationSeconds: 900,
    templateStaticSecretRenderInterval: "2m",
    resources: { memLimit: "96Mi", cpuLimit: "1" },
  },
  webhook: {
    port: 9443,
    failurePolicy: "Ignore",
    timeoutSeconds: 5,
    excludedNamespaces: ["kube-system", "kube-public", "kube-node-lease"],
    objectSelectorExpressions: [{ key: "team", operator: "In", values: ["payments"] }],
  },
  leaderElection: false,
  antiAffinity: "required",
  podDisruptionBudget: { enabled: false },
  serviceAccount: { name: "injector" },
});

interface Rendered {
  objects: K8sObject[];
  release: string;
  namespace: string;
}

async function render(release: string, namespace: string, values?: string): Promise<Rendered> {
  const text = await renderChart({ release, namespace, ...(values ? { values } : {}) });
  return { objects: parseObjects(text), release, namespace };
}

function container(objects: K8sObject[]) {
  return only(objects, "Deployment").spec.template.spec.containers[0];
}

/** The Deployment's env as the pod would see it, downward API filled in. */
function podEnv(r: Rendered): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container(r.objects).env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[e.name] = r.namespace;
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = "pod-0";
    else throw new Error(`unexpected env source for ${e.name}`);
  }
  return env;
}

function webhookOf(objects: K8sObject[]) {
  return only(objects, "MutatingWebhookConfiguration").webhooks[0];
}

/** Checks the RBAC is least: named resources, no wildcard, secrets only in the release namespace. */
function assertLeastRbac(r: Rendered, leaderElection: boolean): void {
  const config = only(r.objects, "MutatingWebhookConfiguration").metadata.name;
  for (const role of r.objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role")) {
    for (const rule of role.rules) {
      for (const field of ["apiGroups", "resources", "verbs", "resourceNames"]) {
        assert.ok(!(rule[field] ?? []).includes("*"), `${role.kind} ${field} has a wildcard`);
      }
      assert.equal(rule.nonResourceURLs, undefined);
    }
  }
  const clusterRole = only(r.objects, "ClusterRole");
  assert.deepEqual(clusterRole.rules, [
    {
      apiGroups: ["admissionregistration.k8s.io"],
      resources: ["mutatingwebhookconfigurations"],
      resourceNames: [config],
      verbs: ["get", "patch"],
    },
  ]);
  const role = only(r.objects, "Role");
  assert.equal(role.metadata.namespace, r.namespace);
  const expected = [
    {
      apiGroups: [""],
      resources: ["secrets"],
      resourceNames: [DEFAULT_CERT_SECRET],
      verbs: ["get", "update"],
    },
    // create cannot be limited by name in Kubernetes RBAC
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
  ];
  if (leaderElection) {
    expected.push(
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: [DEFAULT_LEADER_LEASE],
        verbs: ["get", "update"],
      },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    );
  }
  assert.deepEqual(role.rules, expected);
  // bindings give those roles to the chart's service account and nobody else
  const sa = only(r.objects, "ServiceAccount").metadata.name;
  assert.equal(only(r.objects, "Deployment").spec.template.spec.serviceAccountName, sa);
  for (const [bindingKind, roleKind] of [
    ["ClusterRoleBinding", "ClusterRole"],
    ["RoleBinding", "Role"],
  ] as const) {
    const binding = only(r.objects, bindingKind);
    assert.deepEqual(binding.roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: roleKind,
      name: only(r.objects, roleKind).metadata.name,
    });
    assert.deepEqual(binding.subjects, [
      { kind: "ServiceAccount", name: sa, namespace: r.namespace },
    ]);
  }
}

describe("Helm chart", () => {
  test("helm lint --strict passes", async () => {
    assert.match(await lintChart(), /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test("default values: every object passes its Kubernetes schema", async () => {
    const r = await render("vaultlet", "vaultlet");
    const kinds = r.objects.map((o) => o.kind).sort();
    assert.deepEqual(kinds, [
      "ClusterRole",
      "ClusterRoleBinding",
      "Deployment",
      "MutatingWebhookConfiguration",
      "PodDisruptionBudget",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
    for (const o of r.objects) validateObject(o);
  });

  test("non-default values: every object passes its Kubernetes schema", async () => {
    const r = await render("secrets", "platform", CUSTOM_VALUES);
    assert.ok(!r.objects.some((o) => o.kind === "PodDisruptionBudget"));
    for (const o of r.objects) validateObject(o);
  });

  test("a wrong value is caught by the schema check, naming the object", () => {
    const bad = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: "two" },
    };
    assert.throws(() => validateObject(bad), /Deployment\/x is invalid/);
  });

  test("the webhook Deployment: 2 replicas, anti-affinity, probes over HTTPS, hardened container, PDB", async () => {
    const r = await render("vaultlet", "vaultlet");
    const deploy = only(r.objects, "Deployment");
    assert.equal(deploy.spec.replicas, 2);
    const pod = deploy.spec.template.spec;
    const term = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0];
    assert.equal(term.podAffinityTerm.topologyKey, "kubernetes.io/hostname");
    assert.deepEqual(
      term.podAffinityTerm.labelSelector.matchLabels,
      deploy.spec.selector.matchLabels,
    );
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
    const c = container(r.objects);
    assert.deepEqual(c.args, ["webhook"]);
    assert.deepEqual(c.readinessProbe.httpGet, {
      path: "/health/ready",
      port: "https",
      scheme: "HTTPS",
    });
    assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "https", scheme: "HTTPS" });
    // a probe waits behind the reviews in flight: 1 s (the default) restarted busy webhooks
    assert.ok(c.readinessProbe.timeoutSeconds >= 5, "readiness probe timeout");
    assert.ok(c.livenessProbe.timeoutSeconds >= 5, "liveness probe timeout");
    assert.equal(c.ports[0].name, "https");
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
    const pdb = only(r.objects, "PodDisruptionBudget");
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, deploy.spec.selector.matchLabels);
    const svc = only(r.objects, "Service");
    assert.deepEqual(svc.spec.ports, [
      { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
    ]);
    assert.deepEqual(svc.spec.selector, deploy.spec.selector.matchLabels);
  });

  test("the webhook configuration: pod CREATE only, matchConditions on the annotation, fail closed, skips its own pods and system namespaces", async () => {
    const r = await render("vaultlet", "vaultlet");
    const hook = webhookOf(r.objects);
    assert.deepEqual(hook.rules, [
      {
        operations: ["CREATE"],
        apiGroups: [""],
        apiVersions: ["v1"],
        resources: ["pods"],
        scope: "Namespaced",
      },
    ]);
    assert.equal(hook.sideEffects, "None");
    assert.deepEqual(hook.admissionReviewVersions, ["v1", "v1beta1"]);
    assert.equal(hook.failurePolicy, "Fail");
    assert.equal(hook.timeoutSeconds, 10);
    assert.deepEqual(hook.clientConfig.service, {
      name: only(r.objects, "Service").metadata.name,
      namespace: "vaultlet",
      path: "/mutate",
      port: 443,
    });
    assert.equal(hook.clientConfig.caBundle, undefined, "the webhook fills in the caBundle itself");
    assert.deepEqual(hook.namespaceSelector.matchExpressions, [
      {
        key: "kubernetes.io/metadata.name",
        operator: "NotIn",
        values: ["kube-system", "kube-public"],
      },
    ]);
    // the injector's own pods carry the label the objectSelector excludes
    const [own] = hook.objectSelector.matchExpressions;
    assert.equal(own.operator, "DoesNotExist");
    assert.ok(own.key in only(r.objects, "Deployment").spec.template.metadata.labels);
    // matchConditions: checked structurally (no CEL evaluator here)
    assert.equal(hook.matchConditions.length, 1);
    const cel: string = hook.matchConditions[0].expression;
    assert.match(hook.matchConditions[0].name, /^[a-z0-9-]+$/);
    assert.ok(cel.includes("has(object.metadata.annotations)"), "guards pods without annotations");
    assert.ok(cel.includes(`'${INJECT_ANNOTATION}' in object.metadata.annotations`));
    assert.ok(cel.includes(`object.metadata.annotations['${INJECT_ANNOTATION}']`));
    for (const no of ["''", "'0'", "'f'", "'F'", "'false'", "'FALSE'", "'False'"]) {
      assert.ok(cel.includes(no), `${no} means no injection`);
    }
    assert.equal(cel.split("(").length, cel.split(")").length, "balanced parentheses");
  });

  test("non-default values reach the webhook configuration and the Deployment", async () => {
    const r = await render("secrets", "platform", CUSTOM_VALUES);
    const hook = webhookOf(r.objects);
    assert.equal(hook.failurePolicy, "Ignore");
    assert.equal(hook.timeoutSeconds, 5);
    assert.deepEqual(hook.namespaceSelector.matchExpressions[0].values, [
      "kube-system",
      "kube-public",
      "kube-node-lease",
    ]);
    assert.deepEqual(hook.objectSelector.matchExpressions[1], {
      key: "team",
      operator: "In",
      values: ["payments"],
    });
    const deploy = only(r.objects, "Deployment");
    assert.equal(deploy.spec.replicas, 3);
    assert.equal(
      deploy.spec.template.spec.affinity.podAntiAffinity
        .requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
      "kubernetes.io/hostname",
    );
    const c = container(r.objects);
    assert.equal(c.image, "registry.example/vaultlet-webhook:9.9.9");
    assert.equal(c.ports[0].containerPort, 9443);
    assert.equal(only(r.objects, "ServiceAccount").metadata.name, "injector");
    assertLeastRbac(r, false);
  });

  test("default RBAC is least: only its own webhook configuration, Secret and Lease", async () => {
    assertLeastRbac(await render("vaultlet", "vaultlet"), true);
    assertLeastRbac(await render("other", "sec"), true);
  });

  test("the Deployment's env is accepted by the webhook's own settings parser, with auto TLS pointing at the chart's objects", async () => {
    for (const [release, namespace, values] of [
      ["vaultlet", "vaultlet", undefined],
      ["secrets", "platform", CUSTOM_VALUES],
    ] as const) {
      const r = await render(release, namespace, values);
      const env = podEnv(r);
      const known = new Set(SETTINGS.map((s) => s.env));
      for (const name of Object.keys(env)) {
        assert.ok(known.has(name) || name === "POD_NAME", `${name} is not a webhook setting`);
      }
      // every setting is reachable from values, except TLS from files (the chart uses auto TLS)
      const fileTls = new Set(["AGENT_INJECT_TLS_CERT_FILE", "AGENT_INJECT_TLS_KEY_FILE"]);
      for (const name of known) {
        if (!fileTls.has(name)) assert.ok(name in env, `${name} is not set by the chart`);
      }
      const s = settingsFromEnvAndFlags(env, []);
      const config = only(r.objects, "MutatingWebhookConfiguration").metadata.name;
      const svc = only(r.objects, "Service").metadata.name;
      assert.equal(s.tlsAuto, config);
      assert.ok(s.tlsAutoHosts.includes(`${svc}.${namespace}.svc`));
      assert.ok(s.tlsAutoHosts.includes(`${svc}.${namespace}.svc.cluster.local`));
      assert.equal(s.namespace, namespace);
      if (values === undefined) {
        assert.equal(s.useLeaderElector, true);
        assert.equal(s.nativeSidecar, true);
        assert.equal(s.tokenAudience, "vault");
        assert.equal(s.agentImage, "vaultlet/agent:0.1.0");
        assert.equal(s.vaultAddress, "https://vault.vault.svc:8200");
        assert.equal(s.listen, ":8080");
      } else {
        assert.equal(s.useLeaderElector, false);
        assert.equal(s.nativeSidecar, false);
        assert.equal(s.tokenAudience, "openbao");
        assert.equal(s.tokenExpirationSeconds, 900);
        assert.equal(s.templateStaticSecretRenderInterval, 120_000);
        assert.equal(s.memLimit, "96Mi");
        assert.equal(s.cpuLimit, "1");
        assert.equal(s.agentImage, "registry.example/vaultlet-agent:9.9.9");
        assert.equal(s.authPath, "auth/k8s-prod");
        assert.equal(s.listen, ":9443");
      }
    }
  });

  test("values outside what Kubernetes accepts are refused by the chart's values schema, naming the value", async () => {
    for (const [values, wanted] of [
      [{ webhook: { failurePolicy: "Sometimes" } }, /webhook\/failurePolicy/],
      [{ webhook: { timeoutSeconds: 31 } }, /webhook\/timeoutSeconds/],
      [{ agent: { tokenExpirationSeconds: 60 } }, /agent\/tokenExpirationSeconds/],
      [{ vault: { address: "vault:8200" } }, /vault\/address/],
    ] as const) {
      await assert.rejects(render("vaultlet", "vaultlet", stringify(values)), wanted);
    }
  });
});

describe("plain manifests", () => {
  test("deploy/manifests/vaultlet.yaml is exactly what the chart renders (run node deploy/chart/render.ts after changing the chart)", async () => {
    const committed = await readFile(PLAIN_MANIFESTS, "utf8");
    assert.equal(committed, await renderPlainManifests());
  });

  test("every object in the plain manifests passes its Kubernetes schema, namespace included", async () => {
    const objects = parseObjects(await readFile(PLAIN_MANIFESTS, "utf8"));
    assert.equal(objects[0]?.kind, "Namespace");
    for (const o of objects) validateObject(o);
    for (const o of objects.filter((x) => x.metadata.namespace !== undefined)) {
      assert.equal(o.metadata.namespace, objects[0]?.metadata.name);
    }
  });
});
