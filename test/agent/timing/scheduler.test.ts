import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../../agent/timing/scheduler.ts";

test("a rescheduled name runs once, at the later time", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const s = new Scheduler();
  const runs: string[] = [];
  s.at("a", 100, () => runs.push("first"));
  s.at("a", 300, () => runs.push("second"));
  assert.equal(s.dueAt("a"), 300);
  t.mock.timers.tick(200);
  assert.deepEqual(runs, []);
  t.mock.timers.tick(100);
  assert.deepEqual(runs, ["second"]);
  assert.equal(s.size, 0);
});

test("a wait beyond Node's timer limit is not fired early", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const s = new Scheduler();
  let fired = false;
  const month = 32 * 24 * 3600 * 1000;
  s.at("kv", month, () => (fired = true));
  t.mock.timers.tick(2_147_483_647);
  assert.equal(fired, false);
  t.mock.timers.tick(month - 2_147_483_647);
  assert.equal(fired, true);
});

test("stop cancels everything and refuses new work", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const s = new Scheduler();
  let n = 0;
  s.at("a", 10, () => n++);
  s.stop();
  s.at("b", 10, () => n++);
  t.mock.timers.tick(100);
  assert.equal(n, 0);
});
