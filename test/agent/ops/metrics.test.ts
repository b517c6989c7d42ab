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

test("the agent's CPU seconds count user and system time, and their total is the sum", async () => {
  const { registry } = createAgentMetrics();
  const read = async () => {
    const text = await registry.metrics();
    const value = (kind: string) => {
      const m = new RegExp(
        `^vaultlet_agent_process_process_cpu_${kind}seconds_total (\\S+)$`,
        "m",
      ).exec(text);
      assert.ok(m, `${kind}seconds_total is exposed`);
      return Number(m[1]);
    };
    return { user: value("user_"), system: value("system_"), total: value("") };
  };
  const before = await read();
  const start = process.cpuUsage();
  // burn at least 50 ms of this process's CPU, so the counters must move
  while (process.cpuUsage(start).user < 50_000) Math.sqrt(Math.random());
  const after = await read();
  assert.ok(after.user - before.user >= 0.05, `user seconds grew by ${after.user - before.user}`);
  assert.ok(after.system >= before.system);
  assert.ok(Math.abs(after.total - (after.user + after.system)) < 1e-6, "total = user + system");
  assert.match(
    await registry.metrics(),
    /^# TYPE vaultlet_agent_process_process_cpu_user_seconds_total counter$/m,
  );
});
