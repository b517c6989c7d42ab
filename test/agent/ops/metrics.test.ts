import { test } from "node:test";
import assert from "node:assert/strict";
import { createAgentMetrics } from "../../../agent/ops/metrics.ts";

test("the agent reports the Node process metrics under its prefix, without the event-loop-delay histogram", async () => {
  const text = await createAgentMetrics().registry.metrics();
  for (const name of [
    "vaultlet_agent_process_process_cpu_seconds_total",
    "vaultlet_agent_process_process_resident_memory_bytes",
    "vaultlet_agent_process_process_start_time_seconds",
    "vaultlet_agent_process_nodejs_heap_size_used_bytes",
    "vaultlet_agent_process_nodejs_active_handles_total",
    "vaultlet_agent_process_nodejs_gc_duration_seconds",
    "vaultlet_agent_process_nodejs_version_info",
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, "m"), name);
  }
  // its 10 ms sampling timer would wake an idle agent 100 times a second
  assert.doesNotMatch(text, /eventloop_lag/);
});
