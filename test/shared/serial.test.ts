import { test } from "node:test";
import assert from "node:assert/strict";
import { serialQueue } from "../../shared/serial.ts";

test("a serial queue runs jobs one at a time, in order, and a failure does not stop the next", async () => {
  const q = serialQueue();
  const log: string[] = [];
  const job =
    (name: string, fail = false) =>
    async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setImmediate(r));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
  const a = q.run(job("a"));
  const b = q.run(job("b", true));
  const c = q.run(job("c"));
  assert.equal(await a, "a");
  await assert.rejects(b, /b/);
  assert.equal(await c, "c");
  await q.idle();
  assert.deepEqual(log, ["start a", "end a", "start b", "end b", "start c", "end c"]);
});
