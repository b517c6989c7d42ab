/**
 * The shared test cluster as tests see it: a kubectl runner, manifests,
 * namespaces, image loading, and waits whose failures say what to read
 * (the pod's events, its containers' log files, the component logs).
 *
 * Usage (in a test under test/cluster or any real-pod test):
 *   const cluster = testCluster();                 // the one test.sh started
 *   const ns = await cluster.createNamespace("smoke");
 *   await cluster.apply(podManifest, ns);
 *   await cluster.waitForPod(ns, "p", "Succeeded");
 *   const out = await cluster.kubectl(["logs", "-n", ns, "p"]);
 *
 * test.sh brings the cluster up before the tests and down after them, and
 * exports VAULTLET_CLUSTER_DIR (the state directory: kubeconfig, CA, logs),
 * VAULTLET_KUBECONFIG, VAULTLET_CLUSTER_SERVER and VAULTLET_CLUSTER_TOKEN (the
 * admin's bearer token, for clients other than kubectl); outside test.sh run
 * `node test/support/cluster/cli.ts up` and source the lines `cli.ts env` prints.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
import type { ImageArchive } from "./images.ts";
import type { ClusterLayout, ClusterSpec } from "./layout.ts";
import { apiServerUrl, clusterLayout, componentLog } from "./layout.ts";
import { loadImages, PROBE_IMAGE, readSpec } from "./cluster.ts";
import { ClusterError } from "./probes.ts";

export { PROBE_IMAGE };
export type { ImageArchive };

export type PodCondition = "Running" | "Ready" | "Succeeded";

export interface PodStatus {
  metadata: { name: string; namespace: string; uid: string };
  spec: { nodeName?: string; containers: { name: string }[]; initContainers?: { name: string }[] };
  status: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      name: string;
      ready: boolean;
      restartCount: number;
      state?: Record<string, { reason?: string; exitCode?: number; message?: string }>;
    }[];
  };
}

export interface TestCluster {
  layout: ClusterLayout;
  /** Addresses and ports: the bridge (API server, node IP), pod range, node name. */
  spec: ClusterSpec;
  kubeconfig: string;
  server: string;
  /** Runs kubectl against the cluster; rejects with its stderr. */
  kubectl(args: string[], input?: string): Promise<string>;
  getJson<T>(args: string[]): Promise<T>;
  /** kubectl apply of manifests (objects or YAML text), in `namespace` when given. */
  apply(manifests: object | object[] | string, namespace?: string): Promise<void>;
  /** A new namespace named PREFIX-RANDOM; waits for its default ServiceAccount. */
  createNamespace(prefix: string): Promise<string>;
  waitForPod(
    ns: string,
    name: string,
    condition: PodCondition,
    timeoutMs?: number,
  ): Promise<PodStatus>;
  /** The pod's events and the paths of its containers' log files, for failure messages. */
  podDiagnostics(ns: string, name: string): Promise<string>;
  loadImages(images: ImageArchive[]): Promise<void>;
}

function run(binary: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(" ")}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function podReached(pod: PodStatus, condition: PodCondition): boolean {
  if (condition === "Ready") {
    return pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  }
  return pod.status.phase === condition;
}

/** The cluster test.sh started (VAULTLET_CLUSTER_DIR). */
export function testCluster(): TestCluster {
  const stateDir = process.env.VAULTLET_CLUSTER_DIR;
  if (!stateDir) {
    throw new ClusterError(
      "CLUSTER_NOT_RUNNING",
      "no test cluster: run the tests through test/scripts/test.sh, or start one with " +
        "`node test/support/cluster/cli.ts up` and source what `cli.ts env` prints",
    );
  }
  return openCluster(stateDir);
}

/** A handle on the cluster whose state directory is `stateDir`. */
export function openCluster(stateDir: string): TestCluster {
  const layout = clusterLayout(stateDir);
  const spec = readSpec(layout);
  if (!spec) {
    throw new ClusterError(
      "CLUSTER_NOT_RUNNING",
      `no cluster.json in ${stateDir}: the cluster is not up`,
    );
  }
  const kubeconfig = layout.kubeconfig;
  const server = apiServerUrl(spec);
  const kubectlBin = join(process.env.CLUSTER_BIN_DIR ?? join(stateDir, "..", "bin"), "kubectl");
  const kubectl = (args: string[], input?: string) =>
    run(kubectlBin, ["--kubeconfig", kubeconfig, ...args], input);
  const getJson = async <T>(args: string[]) =>
    JSON.parse(await kubectl([...args, "-o", "json"])) as T;

  async function podDiagnostics(ns: string, name: string): Promise<string> {
    const lines: string[] = [];
    try {
      lines.push(
        await kubectl([
          "get",
          "events",
          "-n",
          ns,
          "--field-selector",
          `involvedObject.name=${name}`,
        ]),
      );
      const pod = await getJson<PodStatus>(["get", "pod", "-n", ns, name]);
      const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
      const dir = join(layout.podLogsDir, `${ns}_${name}_${pod.metadata.uid}`);
      for (const c of names) lines.push(`container ${c} log: ${join(dir, c, "0.log")}`);
      lines.push(`status: ${JSON.stringify(pod.status.containerStatuses ?? pod.status)}`);
    } catch (err) {
      lines.push(`(could not read the pod: ${(err as Error).message})`);
    }
    lines.push(`kubelet log: ${componentLog(layout, "kubelet")}`);
    lines.push(`containerd log: ${componentLog(layout, "containerd")}`);
    return lines.join("\n");
  }

  async function waitForPod(
    ns: string,
    name: string,
    condition: PodCondition,
    timeoutMs = 120_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pod = await getJson<PodStatus>(["get", "pod", "-n", ns, name]).catch(() => undefined);
      if (pod && podReached(pod, condition)) return pod;
      const failed = pod?.status.phase === "Failed";
      if (failed || Date.now() > deadline) {
        const why = failed ? "failed" : `not ${condition} after ${timeoutMs / 1000} s`;
        const where = pod?.spec.nodeName
          ? ""
          : `\nnot scheduled: read ${componentLog(layout, "kube-scheduler")}`;
        throw new ClusterError(
          "POD_NOT_READY",
          `pod ${ns}/${name} ${why}${where}\n${await podDiagnostics(ns, name)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  return {
    layout,
    spec,
    kubeconfig,
    server,
    kubectl,
    getJson,
    async apply(manifests, namespace) {
      const text =
        typeof manifests === "string"
          ? manifests
          : (Array.isArray(manifests) ? manifests : [manifests])
              .map((m) => stringify(m))
              .join("---\n");
      await kubectl(["apply", ...(namespace ? ["-n", namespace] : []), "-f", "-"], text);
    },
    async createNamespace(prefix) {
      const ns = `${prefix}-${randomBytes(3).toString("hex")}`;
      await kubectl(["create", "namespace", ns]);
      const deadline = Date.now() + 60_000;
      while (
        !(await kubectl(["get", "sa", "default", "-n", ns]).then(
          () => true,
          () => false,
        ))
      ) {
        if (Date.now() > deadline) {
          throw new ClusterError(
            "NAMESPACE_NOT_READY",
            `namespace ${ns} has no default ServiceAccount after 60 s; read ${componentLog(layout, "kube-controller-manager")}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      return ns;
    },
    waitForPod,
    podDiagnostics,
    loadImages: (images) => loadImages(stateDir, images),
  };
}
