/**
 * The test cluster behaves as any Kubernetes cluster does for what vaultlet
 * relies on: pods under a restricted security context, the controller
 * manager's Deployments, Jobs, default ServiceAccounts and kube-root-ca.crt,
 * the pod network (pods reach the API server through the `kubernetes`
 * Service, the API server reaches pods through a Service's endpoints), and
 * audience-scoped tokens bound to a pod. Runs on the cluster test.sh started,
 * with the probe image the harness builds itself.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestCluster } from "../support/cluster/client.ts";
import { PROBE_IMAGE, testCluster } from "../support/cluster/client.ts";

let cluster: TestCluster;
let ns: string;

before(async () => {
  cluster = testCluster();
  ns = await cluster.createNamespace("harness");
});

const restricted = {
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
};

function podSpec(containers: { name: string; args: string[] }[], restartPolicy = "Never") {
  return {
    restartPolicy,
    terminationGracePeriodSeconds: 2,
    containers: containers.map((c) => ({
      ...c,
      image: PROBE_IMAGE,
      imagePullPolicy: "Never",
      securityContext: restricted,
    })),
  };
}

function probePod(name: string, containers: { name: string; args: string[] }[]) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name } },
    spec: podSpec(containers),
  };
}

test("a pod runs to completion as a non-root uid on a read-only root filesystem", async () => {
  await cluster.apply(
    probePod("restricted", [
      { name: "id", args: ["id"] },
      { name: "write", args: ["write", "/probe-was-here"] },
    ]),
    ns,
  );
  await cluster.waitForPod(ns, "restricted", "Succeeded");
  assert.equal(
    await cluster.kubectl(["logs", "-n", ns, "restricted", "-c", "id"]),
    "uid=10001 gid=10001\n",
  );
  assert.equal(
    await cluster.kubectl(["logs", "-n", ns, "restricted", "-c", "write"]),
    "error=EROFS\n",
  );
});

test("a new namespace gets the default ServiceAccount and kube-root-ca.crt with the cluster's CA", async () => {
  const fresh = await cluster.createNamespace("fresh");
  const sa = await cluster.getJson<{ metadata: { name: string } }>([
    "get",
    "sa",
    "default",
    "-n",
    fresh,
  ]);
  assert.equal(sa.metadata.name, "default");
  let cm: { data: Record<string, string> } | undefined;
  for (let i = 0; i < 120 && !cm; i++) {
    cm = await cluster
      .getJson<{ data: Record<string, string> }>([
        "get",
        "configmap",
        "kube-root-ca.crt",
        "-n",
        fresh,
      ])
      .catch(() => undefined);
    if (!cm) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(cm, "kube-root-ca.crt was not published in 30 s (kube-controller-manager)");
  const ca = readFileSync(join(cluster.layout.pkiDir, "ca.crt"), "utf8");
  assert.equal(cm.data["ca.crt"]?.trim(), ca.trim());
});

test("a Deployment's pods are created, scheduled and given pod-network addresses", async () => {
  const labels = { app: "sleepers" };
  await cluster.apply(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "sleepers" },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: podSpec([{ name: "sleep", args: ["sleep"] }], "Always"),
        },
      },
    },
    ns,
  );
  await cluster.kubectl(["rollout", "status", "deployment/sleepers", "-n", ns, "--timeout=120s"]);
  const pods = await cluster.getJson<{ items: { status: { podIP: string } }[] }>([
    ...["get", "pods", "-n", ns, "-l", "app=sleepers"],
  ]);
  assert.equal(pods.items.length, 2);
  const ips = pods.items.map((p) => p.status.podIP);
  for (const ip of ips) {
    assert.ok(
      ip.startsWith(`10.${cluster.spec.slot}.`),
      `${ip} is outside ${cluster.spec.podSubnet}`,
    );
  }
  assert.notEqual(ips[0], ips[1]);
});

test("a Job runs to completion", async () => {
  await cluster.apply(
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "once" },
      spec: {
        backoffLimit: 0,
        template: { spec: podSpec([{ name: "exit", args: ["exit", "0"] }]) },
      },
    },
    ns,
  );
  await cluster.kubectl([
    "wait",
    "job/once",
    "-n",
    ns,
    "--for=condition=Complete",
    "--timeout=120s",
  ]);
  const job = await cluster.getJson<{ status: { succeeded?: number } }>([
    "get",
    "job",
    "once",
    "-n",
    ns,
  ]);
  assert.equal(job.status.succeeded, 1);
});

test("a pod on the pod network reaches the API server through the kubernetes Service", async () => {
  const svcEnv = ["connect", "$(KUBERNETES_SERVICE_HOST)", "$(KUBERNETES_SERVICE_PORT)"];
  await cluster.apply(probePod("dialer", [{ name: "connect", args: svcEnv }]), ns);
  await cluster.waitForPod(ns, "dialer", "Succeeded");
  assert.equal(await cluster.kubectl(["logs", "-n", ns, "dialer"]), "connected\n");
});

test("the API server reaches a pod through its Service's endpoints (no kube-proxy)", async () => {
  await cluster.apply(
    [
      probePod("server", [{ name: "serve", args: ["serve", "8080"] }]),
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "server" },
        spec: { selector: { app: "server" }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    ],
    ns,
  );
  await cluster.waitForPod(ns, "server", "Running");
  const path = `/api/v1/namespaces/${ns}/services/http:server:80/proxy/`;
  let body = "";
  for (let i = 0; i < 60 && body !== "probe\n"; i++) {
    body = await cluster.kubectl(["get", "--raw", path]).catch((e: Error) => e.message);
    if (body !== "probe\n") await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(body, "probe\n");
});

test("a TokenRequest for audience vault bound to a pod names that pod", async () => {
  await cluster.apply(probePod("holder", [{ name: "sleep", args: ["sleep"] }]), ns);
  const pod = await cluster.waitForPod(ns, "holder", "Running");
  const token = (
    await cluster.kubectl([
      ...["create", "token", "default", "-n", ns, "--audience", "vault"],
      ...["--bound-object-kind", "Pod", "--bound-object-name", "holder"],
    ])
  ).trim();
  const claims = JSON.parse(
    Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"),
  ) as {
    aud: string[];
    sub: string;
    "kubernetes.io": { namespace: string; pod: { name: string; uid: string } };
  };
  assert.deepEqual(claims.aud, ["vault"]);
  assert.equal(claims.sub, `system:serviceaccount:${ns}:default`);
  assert.equal(claims["kubernetes.io"].namespace, ns);
  assert.deepEqual(claims["kubernetes.io"].pod, { name: "holder", uid: pod.metadata.uid });
});

test("an image loaded into the running cluster runs, and running pods survive the load", async () => {
  const imagesDir = process.env.CLUSTER_IMAGES_DIR;
  assert.ok(imagesDir, "CLUSTER_IMAGES_DIR is not set: run through test/scripts/test.sh");
  await cluster.apply(probePod("survivor", [{ name: "sleep", args: ["sleep"] }]), ns);
  const before = await cluster.waitForPod(ns, "survivor", "Running");
  const name = "docker.io/vaultlet/probe-loaded:0.0.1";
  await cluster.loadImages([{ archive: join(imagesDir, "probe.oci.tar"), name }]);
  const pod = probePod("loaded", [{ name: "id", args: ["id"] }]);
  pod.spec.containers[0]!.image = name;
  await cluster.apply(pod, ns);
  await cluster.waitForPod(ns, "loaded", "Succeeded");
  assert.equal(await cluster.kubectl(["logs", "-n", ns, "loaded"]), "uid=10001 gid=10001\n");
  const after = await cluster.waitForPod(ns, "survivor", "Running");
  assert.equal(after.metadata.uid, before.metadata.uid);
  assert.deepEqual(
    after.status.containerStatuses?.map((c) => [
      c.name,
      c.ready,
      c.restartCount,
      Object.keys(c.state ?? {}),
    ]),
    [["sleep", true, 0, ["running"]]],
  );
});
