/**
 * `helm install` of deploy/chart/vaultlet on the test cluster: the webhook
 * runs as its Deployment's two pods from vaultlet's webhook image, elects one
 * leader (a Lease), creates its TLS Secret and the caBundle under the chart's
 * RBAC alone, and the API server calls it through its Service (the cluster
 * routes a Service to its endpoints, see test/support/cluster/config.ts), so
 * an annotated pod created with kubectl gets its agent. Then fail-closed:
 * with the webhook scaled to zero an annotated pod is refused with a message
 * naming the webhook, a plain pod is admitted, and kube-system is never sent
 * to the webhook.
 *
 * The webhook is cluster-wide, and the cluster is shared by every test file
 * of the run: the release's namespaceSelector adds a label that only this
 * file's namespaces carry, so other files' pods never meet it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { TestCluster } from "../support/cluster/client.ts";
import { testCluster } from "../support/cluster/client.ts";
import { ensureVaultletImage } from "../support/cluster/vaultlet-images.ts";
import { componentLog } from "../support/cluster/layout.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CHART = join(ROOT, "deploy/chart/vaultlet");
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }
).version;
const WEBHOOK_IMAGE = `docker.io/vaultlet/webhook:${VERSION}`;
const SELECT = "vaultlet-test/chart";
const RELEASE = "vaultlet";
const run = promisify(execFile);

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let cluster: TestCluster;
let ns: string;
let apps: string;
let token: string;

const labels = () => `${SELECT}=${ns}`;

async function helm(args: string[]): Promise<string> {
  const bin = process.env.HELM_BIN;
  assert.ok(bin, "HELM_BIN is not set: source test/scripts/setup.sh");
  try {
    const { stdout } = await run(bin, [...args, "--kubeconfig", cluster.kubeconfig]);
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`helm ${args[0]}: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

async function webhookPods(): Promise<Obj[]> {
  const list = await cluster.getJson<{ items: Obj[] }>([
    ...["get", "pods", "-n", ns, "-l", "app.kubernetes.io/component=webhook"],
  ]);
  return list.items;
}

async function diagnostics(): Promise<string> {
  const pods = await webhookPods().catch(() => []);
  const each = await Promise.all(pods.map((p) => cluster.podDiagnostics(ns, p.metadata.name)));
  return [
    ...each,
    `kube-apiserver log: ${componentLog(cluster.layout, "kube-apiserver")}`,
    `kube-controller-manager log: ${componentLog(cluster.layout, "kube-controller-manager")}`,
  ].join("\n");
}

async function eventually<T>(what: string, ms: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      assert.fail(`${what}: not after ${ms / 1000} s\n${await diagnostics()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function annotatedPod(name: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      annotations: {
        "vault.hashicorp.com/agent-inject": "true",
        "vault.hashicorp.com/role": "app",
        "vault.hashicorp.com/agent-inject-secret-config": "secret/data/app",
      },
    },
    spec: plainSpec(),
  };
}

function plainSpec() {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
    containers: [
      {
        name: "app",
        image: "vaultlet.local/probe:1",
        imagePullPolicy: "Never",
        args: ["sleep"],
        securityContext: {
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        },
      },
    ],
  };
}

/** kubectl create of one pod; the created object, or the API server's refusal. */
async function create(pod: object, namespace: string): Promise<Obj | Error> {
  return cluster
    .kubectl(["create", "-n", namespace, "-o", "json", "-f", "-"], JSON.stringify(pod))
    .then((out) => JSON.parse(out) as Obj)
    .catch((err: Error) => err);
}

const agentOf = (pod: Obj) =>
  [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
    (c: Obj) => c.name === "vault-agent",
  );

before(async () => {
  cluster = testCluster();
  await ensureVaultletImage(cluster, "webhook");
  ns = await cluster.createNamespace("vaultlet");
  apps = await cluster.createNamespace("apps");
  for (const n of [ns, apps]) await cluster.kubectl(["label", "namespace", n, labels()]);
  token = ns;
  await helm([
    ...["install", RELEASE, CHART, "-n", ns, "--wait", "--timeout", "240s"],
    // no agent runs in this file: the address is only written into pod specs
    ...["--set", "vault.address=http://127.0.0.1:8200"],
    ...[
      "--set-json",
      `webhook.namespaceSelectorExpressions=[{"key":"${SELECT}","operator":"In","values":["${token}"]}]`,
    ],
  ]).catch(async (err: Error) => assert.fail(`${err.message}\n${await diagnostics()}`));
});

after(async () => {
  await helm(["uninstall", RELEASE, "-n", ns, "--wait", "--timeout", "60s"]).catch(() => undefined);
  await cluster
    ?.kubectl(["label", "namespace", "kube-system", `${SELECT}-`])
    .catch(() => undefined);
  for (const n of [ns, apps]) {
    await cluster?.kubectl(["delete", "namespace", n, "--wait=false"]).catch(() => undefined);
  }
});

test("the webhook runs as two Ready pods from vaultlet's webhook image, non-root, read-only root", async () => {
  const pods = await eventually("two Ready webhook pods", 120_000, async () => {
    const items = await webhookPods();
    const ready = items.filter((p) =>
      (p.status.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True"),
    );
    return ready.length === 2 ? ready : undefined;
  });
  for (const pod of pods) {
    const c = pod.spec.containers[0];
    assert.equal(c.image, WEBHOOK_IMAGE.replace(/^docker\.io\//, ""));
    const sc = { ...pod.spec.securityContext, ...c.securityContext };
    assert.equal(sc.runAsNonRoot, true);
    assert.equal(sc.readOnlyRootFilesystem, true);
  }
});

test("exactly one webhook pod holds the leader Lease", async () => {
  const names = (await webhookPods()).map((p) => p.metadata.name as string);
  const lease = await eventually("the leader Lease", 60_000, () =>
    cluster.getJson<Obj>(["get", "lease", "vaultlet-webhook-leader", "-n", ns]),
  );
  assert.ok(
    names.includes(lease.spec.holderIdentity),
    `holder ${lease.spec.holderIdentity} is not one of ${names.join(", ")}`,
  );
});

test("the webhook created its TLS Secret and put its CA into the webhook configuration's caBundle", async () => {
  const secret = await eventually("the TLS Secret", 60_000, () =>
    cluster.getJson<Obj>(["get", "secret", "vaultlet-webhook-certs", "-n", ns]),
  );
  const config = await eventually("a caBundle", 60_000, async () => {
    const mwc = await cluster.getJson<Obj>([
      "get",
      "mutatingwebhookconfiguration",
      `${RELEASE}-${ns}`,
    ]);
    return mwc.webhooks[0].clientConfig.caBundle ? mwc : undefined;
  });
  const hook = config.webhooks[0];
  assert.deepEqual(hook.clientConfig.service, {
    name: RELEASE,
    namespace: ns,
    path: "/mutate",
    port: 443,
  });
  const ca = Buffer.from(hook.clientConfig.caBundle, "base64").toString("utf8");
  assert.match(ca, /BEGIN CERTIFICATE/);
  const fromSecret = Object.values(secret.data as Record<string, string>).map((v) =>
    Buffer.from(v, "base64").toString("utf8"),
  );
  assert.ok(
    fromSecret.some((pem) => pem.includes(ca.trim())),
    "the caBundle is not the CA kept in the Secret",
  );
});

test("the API server calls the webhook through its Service: an annotated pod created with kubectl gets its agent", async () => {
  const created = await eventually("an injected pod", 60_000, async () => {
    const pod = await create(annotatedPod(`injected-${Date.now()}`), apps);
    return pod instanceof Error ? undefined : pod;
  });
  const agent = agentOf(created);
  assert.ok(agent, "the pod has no vault-agent container");
  assert.equal(created.metadata.annotations["vault.hashicorp.com/agent-inject-status"], "injected");
  const plain = await create(
    { apiVersion: "v1", kind: "Pod", metadata: { name: "plain" }, spec: plainSpec() },
    apps,
  );
  assert.ok(!(plain instanceof Error), String(plain));
  assert.equal(agentOf(plain), undefined);
});

test("fail-closed: with the webhook scaled to zero, an annotated pod is refused with a clear message, a plain pod and kube-system are admitted", async () => {
  await cluster.kubectl(["scale", "deployment", RELEASE, "-n", ns, "--replicas=0"]);
  await eventually("no webhook pod left", 120_000, async () =>
    (await webhookPods()).length === 0 ? true : undefined,
  );
  const refused = await create(annotatedPod("refused"), apps);
  assert.ok(refused instanceof Error, "an annotated pod was admitted without the webhook");
  assert.match(refused.message, /failed calling webhook "inject\.vaultlet\.io"/);
  const plain = await create(
    { apiVersion: "v1", kind: "Pod", metadata: { name: "plain-down" }, spec: plainSpec() },
    apps,
  );
  assert.ok(!(plain instanceof Error), `a plain pod was refused: ${String(plain)}`);
  // kube-system carries this release's label too: only the chart's exclusion keeps it out
  await cluster.kubectl(["label", "namespace", "kube-system", labels()]);
  const name = `annotated-${ns}`;
  const system = await create(
    { ...annotatedPod(name), metadata: { ...annotatedPod(name).metadata } },
    "kube-system",
  );
  await cluster.kubectl(["label", "namespace", "kube-system", `${SELECT}-`]);
  assert.ok(!(system instanceof Error), `kube-system was sent to the webhook: ${String(system)}`);
  assert.equal(agentOf(system), undefined);
  await cluster.kubectl(["delete", "pod", name, "-n", "kube-system", "--wait=false"]);
});
