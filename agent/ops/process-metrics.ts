import type { Registry } from "prom-client";
import Counter from "prom-client/lib/counter.js";
import gc from "prom-client/lib/metrics/gc.js";
import heapSizeAndUsed from "prom-client/lib/metrics/heapSizeAndUsed.js";
import heapSpacesSizeAndUsed from "prom-client/lib/metrics/heapSpacesSizeAndUsed.js";
import osMemoryHeap from "prom-client/lib/metrics/osMemoryHeap.js";
import processHandles from "prom-client/lib/metrics/processHandles.js";
import processMaxFileDescriptors from "prom-client/lib/metrics/processMaxFileDescriptors.js";
import processOpenFileDescriptors from "prom-client/lib/metrics/processOpenFileDescriptors.js";
import processRequests from "prom-client/lib/metrics/processRequests.js";
import processResources from "prom-client/lib/metrics/processResources.js";
import processStartTime from "prom-client/lib/metrics/processStartTime.js";
import version from "prom-client/lib/metrics/version.js";

/**
 * prom-client's default process metrics, all read when scraped, without its
 * event-loop-delay histogram: that one arms a native 10 ms timer
 * (monitorEventLoopDelay) that wakes an idle agent about 100 times a
 * second, which across a fleet of sidecars is CPU spent on nothing. An idle
 * agent's loop only wakes for the next thing due.
 */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  const config = { prefix };
  registerCpuSeconds(registry, prefix);
  for (const register of [
    processStartTime,
    osMemoryHeap,
    processOpenFileDescriptors,
    processMaxFileDescriptors,
    processResources,
    processHandles,
    processRequests,
    heapSizeAndUsed,
    heapSpacesSizeAndUsed,
    version,
    gc,
  ]) {
    register(registry, config);
  }
}

/**
 * The process's CPU seconds (user, system, both), read when scraped. Written
 * here rather than taken from prom-client, whose version looks up tracing
 * exemplars and so bundles the OpenTelemetry API: 22 KB of script held in
 * every sidecar's memory for a figure three counters give.
 */
function registerCpuSeconds(registry: Registry, prefix: string): void {
  const counter = (name: string, help: string, collect?: () => void) =>
    new Counter({ name: `${prefix}${name}`, help, registers: [registry], collect });
  let last = { user: 0, system: 0 };
  const user = counter(
    "process_cpu_user_seconds_total",
    "Total user CPU time spent in seconds.",
    () => {
      const now = process.cpuUsage();
      user.inc((now.user - last.user) / 1e6);
      system.inc((now.system - last.system) / 1e6);
      both.inc((now.user - last.user + now.system - last.system) / 1e6);
      last = now;
    },
  );
  const system = counter(
    "process_cpu_system_seconds_total",
    "Total system CPU time spent in seconds.",
  );
  const both = counter(
    "process_cpu_seconds_total",
    "Total user and system CPU time spent in seconds.",
  );
}
