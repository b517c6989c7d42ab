/**
 * Leaves nothing of a cluster behind: its processes (components, containerd
 * shims and the containers under them), its mounts (kubelet volumes, overlay
 * root filesystems, shm, network namespaces) and its bridge. Also run at the
 * start of `up`, so a cluster left by an interrupted run is cleaned first.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { ClusterLayout, ClusterSpec } from "./layout.ts";
import type { ProcessInfo } from "./processes.ts";
import { processTable, stopPids, withDescendants } from "./processes.ts";

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(" ")[4] ?? ""))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function unmountAll(dir: string): string[] {
  for (let round = 0; round < 3; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return [];
    for (const p of points) {
      try {
        execFileSync("umount", [p], { stdio: "ignore" });
      } catch {
        try {
          execFileSync("umount", ["-l", p], { stdio: "ignore" });
        } catch {
          // reported below if it stays
        }
      }
    }
  }
  return mountsUnder(dir);
}

const COMPONENTS = new Set([
  "etcd",
  "containerd",
  "containerd-shim-runc-v2",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
]);

/**
 * Processes that belong to the cluster: its components and containerd shims
 * whose command line names its state directory (a shim's -address is the
 * containerd socket there), and everything below them (the containers).
 * A shell that merely mentions the directory is not one of them.
 */
export function clusterProcesses(layout: ClusterLayout, table: ProcessInfo[]): number[] {
  const own = table.filter((p) => {
    const argv0 = p.cmdline.split(" ")[0] ?? "";
    const name = argv0.slice(argv0.lastIndexOf("/") + 1);
    return COMPONENTS.has(name) && p.cmdline.includes(layout.stateDir);
  });
  return withDescendants(
    table,
    own.map((p) => p.pid),
  );
}

export function bridgeExists(name: string): boolean {
  try {
    execFileSync("ip", ["link", "show", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function deleteBridge(spec: ClusterSpec | undefined): void {
  if (spec && bridgeExists(spec.bridge)) {
    execFileSync("ip", ["link", "delete", spec.bridge], { stdio: "ignore" });
  }
}

export interface Leftovers {
  processes: ProcessInfo[];
  mounts: string[];
  cgroups: string[];
  bridge: boolean;
}

export function leftovers(layout: ClusterLayout, spec: ClusterSpec | undefined): Leftovers {
  const table = processTable();
  const pids = new Set(clusterProcesses(layout, table));
  return {
    processes: table.filter((p) => pids.has(p.pid)),
    mounts: mountsUnder(layout.stateDir),
    cgroups: containerCgroups(layout),
    bridge: spec ? bridgeExists(spec.bridge) : false,
  };
}

export function describeLeftovers(l: Leftovers): string | undefined {
  const parts: string[] = [];
  if (l.processes.length > 0) {
    parts.push(
      `processes: ${l.processes.map((p) => `${p.pid} (${p.cmdline.slice(0, 80)})`).join("; ")}`,
    );
  }
  if (l.mounts.length > 0) parts.push(`mounts: ${l.mounts.join(", ")}`);
  if (l.cgroups.length > 0) parts.push(`cgroups: ${l.cgroups.join(", ")}`);
  if (l.bridge) parts.push("the bridge interface");
  return parts.length > 0 ? parts.join("\n") : undefined;
}

/** Kills every process of the cluster: the containers with their shims first, then the rest. */
export async function killClusterProcesses(layout: ClusterLayout): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const table = processTable();
    const pids = clusterProcesses(layout, table);
    if (pids.length === 0) return;
    await stopPids(pids, round === 0 ? 5000 : 1000);
  }
}

/**
 * The kubelet links each container's log into /var/log/containers (a fixed
 * path); links into this cluster's pod log directory go with the cluster.
 */
export function removeContainerLogLinks(layout: ClusterLayout, dir = "/var/log/containers"): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    try {
      if (readlinkSync(join(dir, entry)).startsWith(`${layout.podLogsDir}/`)) {
        rmSync(join(dir, entry), { force: true });
      }
    } catch {
      // not a link, or already gone
    }
  }
}

const CGROUP_ROOT = "/sys/fs/cgroup";

function containerIds(layout: ClusterLayout): string[] {
  const tasks = join(layout.containerdDir, "state", "io.containerd.runtime.v2.task", "k8s.io");
  try {
    return readdirSync(tasks);
  } catch {
    return [];
  }
}

/**
 * Cgroups of this cluster's containers (runc makes /k8s.io/ID in each
 * hierarchy; the kubelet runs without QoS cgroups) that an interrupted run
 * left: runc removes them only when a task is deleted through containerd.
 */
export function containerCgroups(layout: ClusterLayout): string[] {
  const ids = containerIds(layout);
  if (ids.length === 0) return [];
  let hierarchies: string[];
  try {
    hierarchies = readdirSync(CGROUP_ROOT);
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const h of hierarchies) {
    for (const id of ids) {
      const dir = join(CGROUP_ROOT, h, "k8s.io", id);
      if (existsSync(dir)) found.push(dir);
    }
  }
  return found;
}

export function removeContainerCgroups(layout: ClusterLayout): void {
  for (const dir of containerCgroups(layout)) {
    try {
      rmdirSync(dir);
    } catch {
      // still has a process: reported by the leftover check
    }
  }
}
