/**
 * A `helm install` of deploy/chart/vaultlet for one real-pod test file, and
 * what those files do with it: list and kill the webhook's pods, create pods
 * through the API server, read a container's memory from its cgroup.
 *
 * The webhook is cluster-wide and the cluster is shared by every test file of
 * the run: each release's namespaceSelector matches a label that only its own
 * file's namespaces carry, so other files' pods never meet it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { TestCluster } from "../support/cluster/client.ts";
import { componentLog } from "../support/cluster/layout.ts";

const ROOT = resolve(import.meta.dirname, "../..");
export const CHART = join(ROOT, "deploy/chart/vaultlet");
export const RELEASE = "vaultlet";
const run = promisify(execFile);

export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface WebhookRelease {
  readonly cluster: TestCluster;
  /** the release's namespace: the webhook's pods run here */
  readonly ns: string;
  /** a namespace the release's webhook serves, for the pods the test creates */
  readonly apps: string;
  webhookPods(): Promise<Obj[]>;
  readyWebhookPods(): Promise<Obj[]>;
  /** every webhook pod's events and log files, and the component logs to read */
  diagnostics(): Promise<string>;
  /** polls `probe` every `everyMs` until it returns a value; fails after `ms` saying what it waited for */
  eventually<T>(
    what: string,
    ms: number,
    probe: () => Promise<T | undefined>,
    everyMs?: number,
  ): Promise<T>;
  uninstall(): Promise<void>;
}

export async function helm(cluster: TestCluster, args: string[]): Promise<string> {
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

/**
 * Installs the chart (its default resources) into a new namespace whose
 * webhook serves only namespaces labelled `selectKey=<that namespace>`, and
 * waits for it.
 */
export async function installWebhook(
  cluster: TestCluster,
  prefix: string,
  selectKey: string,
): Promise<WebhookRelease> {
  const ns = await cluster.createNamespace(prefix);
  const apps = await cluster.createNamespace(`${prefix}-apps`);
  for (const n of [ns, apps])
    await cluster.kubectl(["label", "namespace", n, `${selectKey}=${ns}`]);
  const release = webhookRelease(cluster, ns, apps);
  await helm(cluster, [
    ...["install", RELEASE, CHART, "-n", ns, "--wait", "--timeout", "240s"],
    // no agent runs in these files: the address is only written into pod specs
    ...["--set", "vault.address=http://127.0.0.1:8200"],
    ...[
      "--set-json",
      `webhook.namespaceSelectorExpressions=[{"key":"${selectKey}","operator":"In","values":["${ns}"]}]`,
    ],
  ]).catch(async (err: Error) => assert.fail(`${err.message}\n${await release.diagnostics()}`));
  return release;
}

function webhookRelease(cluster: TestCluster, ns: string, apps: string): WebhookRelease {
  const webhookPods = async () =>
    (
      await cluster.getJson<{ items: Obj[] }>([
        ...["get", "pods", "-n", ns, "-l", "app.kubernetes.io/component=webhook"],
      ])
    ).items;
  const diagnostics = async () => {
    const pods = await webhookPods().catch(() => []);
    const each = await Promise.all(pods.map((p) => cluster.podDiagnostics(ns, p.metadata.name)));
    return [
      ...each,
      `kube-apiserver log: ${componentLog(cluster.layout, "kube-apiserver")}`,
      `kube-controller-manager log: ${componentLog(cluster.layout, "kube-controller-manager")}`,
    ].join("\n");
  };
  return {
    cluster,
    ns,
    apps,
    webhookPods,
    readyWebhookPods: async () => (await webhookPods()).filter(isReady),
    diagnostics,
    async eventually<T>(
      what: string,
      ms: number,
      probe: () => Promise<T | undefined>,
      everyMs = 1000,
    ) {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline)
          assert.fail(`${what}: not after ${ms / 1000} s\n${await diagnostics()}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
    async uninstall() {
      await helm(cluster, ["uninstall", RELEASE, "-n", ns, "--wait", "--timeout", "60s"]).catch(
        () => undefined,
      );
      for (const n of [ns, apps]) {
        await cluster.kubectl(["delete", "namespace", n, "--wait=false"]).catch(() => undefined);
      }
    },
  };
}

export function isReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");
}

/**
 * An annotated pod that is admitted (or refused) and then never runs: its
 * nodeSelector matches no node, so a burst of them loads the API server and
 * the webhook, not the kubelet.
 */
export function unscheduledAnnotatedPod(name: string): Obj {
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
    spec: {
      automountServiceAccountToken: false,
      nodeSelector: { "vaultlet-test/no-such-node": "true" },
      containers: [{ name: "app", image: "vaultlet.local/probe:1", args: ["sleep"] }],
    },
  };
}

export const agentOf = (pod: Obj): Obj | undefined =>
  [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find(
    (c: Obj) => c.name === "vault-agent",
  );

/** kubectl create of one pod: the created object, or the API server's refusal. */
export function createPod(
  cluster: TestCluster,
  pod: object,
  namespace: string,
): Promise<Obj | Error> {
  return cluster
    .kubectl(["create", "-n", namespace, "-o", "json", "-f", "-"], JSON.stringify(pod))
    .then((out) => JSON.parse(out) as Obj)
    .catch((err: Error) => err);
}

/** The containerd container id of a pod's first container (`containerd://ID` in its status). */
export function containerId(pod: Obj): string | undefined {
  const id = pod.status?.containerStatuses?.[0]?.containerID as string | undefined;
  return id?.replace(/^containerd:\/\//, "");
}

/** SIGKILL to a container's processes through containerd, as the OOM killer or a node fault would end them. */
export async function killContainer(cluster: TestCluster, id: string): Promise<void> {
  await run("ctr", [
    ...["--address", cluster.layout.containerdSocket, "-n", "k8s.io"],
    ...["tasks", "kill", "--all", "--signal", "SIGKILL", id],
  ]);
}

/** The pid of a container's first process, from containerd. */
export async function containerPid(cluster: TestCluster, id: string): Promise<number> {
  const { stdout } = await run("ctr", [
    ...["--address", cluster.layout.containerdSocket, "-n", "k8s.io", "tasks", "ls"],
  ]);
  const line = stdout.split("\n").find((l) => l.startsWith(id));
  const pid = Number(line?.trim().split(/\s+/)[1]);
  assert.ok(pid > 0, `containerd lists no running task for container ${id}:\n${stdout}`);
  return pid;
}

export interface CgroupMemory {
  /** memory.max_usage_in_bytes: the most the container's cgroup was charged, page cache included */
  readonly maxUsageMiB: number;
  /** usage minus inactive file pages: what `kubectl top` calls the working set */
  readonly workingSetMiB: number;
  readonly limitMiB: number;
}

/** A container's memory from its cgroup v1 memory controller (the kubelet's /stats/summary fails here). */
export function cgroupMemory(pid: number): CgroupMemory {
  const line = readFileSync(`/proc/${pid}/cgroup`, "utf8")
    .split("\n")
    .find((l) => /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:/.test(l));
  assert.ok(line, `process ${pid} has no cgroup v1 memory controller`);
  const dir = join(
    "/sys/fs/cgroup/memory",
    line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1),
  );
  const read = (file: string) => Number(readFileSync(join(dir, file), "utf8").trim());
  const stat = readFileSync(join(dir, "memory.stat"), "utf8");
  const inactiveFile = Number(/^total_inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
  const mib = (bytes: number) => bytes / 2 ** 20;
  return {
    maxUsageMiB: mib(read("memory.max_usage_in_bytes")),
    workingSetMiB: mib(read("memory.usage_in_bytes") - inactiveFile),
    limitMiB: mib(read("memory.limit_in_bytes")),
  };
}
