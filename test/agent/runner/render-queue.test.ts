import { test } from "node:test";
import assert from "node:assert/strict";
import { RenderQueue } from "../../../agent/runner/template-job.ts";
import { createLogger } from "../../../shared/log.ts";
import { captureLogs } from "../../support/log-capture.ts";

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

test("renders of one template never overlap and changes during a render fold into one more", async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const gates = [gate(), gate(), gate()];
  const logs = captureLogs();
  const q = new RenderQueue(
    "t",
    async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gates[runs++]!.p;
      running--;
    },
    createLogger({ destination: logs.stream }),
  );
  const first = q.run();
  q.trigger();
  q.trigger();
  q.trigger();
  gates[0]!.open();
  await first;
  gates[1]!.open();
  gates[2]!.open();
  await q.idle();
  assert.equal(runs, 2, "three triggers during one render give one more render");
  assert.equal(maxRunning, 1);
});

test("run() reports its failure; trigger() logs it and keeps going", async () => {
  const logs = captureLogs();
  let fail = true;
  const q = new RenderQueue(
    "dest.txt",
    async () => {
      if (fail) throw new Error("boom");
    },
    createLogger({ destination: logs.stream }),
  );
  await assert.rejects(q.run(), /boom/);
  q.trigger();
  await q.idle();
  fail = false;
  await q.run();
  const errors = logs.messages("re-render failed");
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.template, "dest.txt");
});

test("wait: changes in quick succession render once after the quiet period, and no later than max", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const logs = captureLogs();
  let runs = 0;
  const q = new RenderQueue(
    "t",
    async () => {
      runs++;
    },
    createLogger({ destination: logs.stream }),
    { min: 100, max: 250 },
  );
  q.trigger();
  t.mock.timers.tick(80);
  q.trigger();
  t.mock.timers.tick(80);
  q.trigger();
  t.mock.timers.tick(80);
  assert.equal(runs, 0, "still changing: waiting");
  q.trigger();
  // 240 ms since the first change: the max (250) caps the wait
  t.mock.timers.tick(10);
  return q.idle().then(() => assert.equal(runs, 1));
});

test("a failed re-render is tried again by itself, reports how many failed in a row, and stops retrying once it succeeds or is cancelled", async () => {
  const logs = captureLogs();
  const reported: number[] = [];
  let runs = 0;
  let failUntil = 3;
  let succeeded!: () => void;
  const done = new Promise<void>((r) => (succeeded = r));
  const q = new RenderQueue(
    "t",
    async () => {
      runs++;
      if (runs <= failUntil) throw new Error("EPERM");
      succeeded();
    },
    createLogger({ destination: logs.stream }),
    undefined,
    (_err, failures) => reported.push(failures),
  );
  q.trigger();
  await done;
  await q.idle();
  assert.equal(runs, 4, "three failures, then the retry that works");
  assert.deepEqual(reported, [1, 2, 3]);
  assert.equal(logs.messages("re-render failed").length, 3);

  // after a success the count starts again, and cancel() drops a pending retry
  failUntil = Infinity;
  q.trigger();
  await q.idle();
  assert.deepEqual(reported, [1, 2, 3, 1]);
  q.cancel();
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(runs, 5, "no retry after cancel");
});
