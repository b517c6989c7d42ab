/**
 * What a container in a real pod uses, read from its cgroup (v1, as the
 * kubelet on these machines makes them): the kubelet's own summary API does
 * not work on this VM, so the benchmarks read what `kubectl top` would show
 * straight from the memory and cpuacct controllers.
 *
 * - working set: memory.usage_in_bytes minus total_inactive_file (what the
 *   kubelet reports and evicts on);
 * - anon: memory.stat `total_rss` (anonymous memory: heap, stacks);
 * - CPU: cpuacct.usage, nanoseconds of CPU used by every task in the cgroup.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const CGROUP_ROOT = "/sys/fs/cgroup";

export interface ContainerUsage {
  workingSetMiB: number;
  anonMiB: number;
  /** user + system CPU seconds since the container started */
  cpuSeconds: number;
}

/** The container's cgroup path below each controller's root, e.g. /kubepods/podUID/ID. */
export function findContainerCgroup(containerId: string): string {
  const id = containerId.replace(/^[a-z]+:\/\//, "");
  const found = search(join(CGROUP_ROOT, "memory"), id, 5);
  if (!found) {
    throw new Error(
      `no memory cgroup named after container ${id} under ${CGROUP_ROOT}/memory: ` +
        "is the container running, and is this the node's host (cgroup v1)?",
    );
  }
  return found.slice(join(CGROUP_ROOT, "memory").length);
}

function search(dir: string, id: string, depth: number): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return undefined;
  }
  const hit = entries.find((name) => name.includes(id));
  if (hit) return join(dir, hit);
  if (depth === 0) return undefined;
  for (const name of entries) {
    const found = search(join(dir, name), id, depth - 1);
    if (found) return found;
  }
  return undefined;
}

function cpuacctDir(cgroup: string): string {
  for (const controller of ["cpuacct", "cpu,cpuacct"]) {
    const dir = join(CGROUP_ROOT, controller, cgroup);
    if (existsSync(join(dir, "cpuacct.usage"))) return dir;
  }
  throw new Error(`no cpuacct.usage for cgroup ${cgroup} under ${CGROUP_ROOT}`);
}

/** memory.stat as a map of its counters */
export function parseMemoryStat(text: string): Map<string, number> {
  const stat = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [key, value] = line.split(" ");
    if (key && value !== undefined) stat.set(key, Number(value));
  }
  return stat;
}

export function readContainerUsage(cgroup: string): ContainerUsage {
  const mem = join(CGROUP_ROOT, "memory", cgroup);
  const usage = Number(readFileSync(join(mem, "memory.usage_in_bytes"), "utf8"));
  const stat = parseMemoryStat(readFileSync(join(mem, "memory.stat"), "utf8"));
  const inactiveFile = stat.get("total_inactive_file") ?? 0;
  const cpuNs = Number(readFileSync(join(cpuacctDir(cgroup), "cpuacct.usage"), "utf8"));
  return {
    workingSetMiB: Math.max(0, usage - inactiveFile) / 2 ** 20,
    anonMiB: (stat.get("total_rss") ?? stat.get("rss") ?? NaN) / 2 ** 20,
    cpuSeconds: cpuNs / 1e9,
  };
}
