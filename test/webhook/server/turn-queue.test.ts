import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import { createTurnQueue } from "../../../webhook/server/turn-queue.ts";

/** a job in these tests does not throw; if one does, the test fails with it */
const unexpected = (err: unknown) => assert.fail(`a job threw: ${String(err)}`);

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test("jobs run in arrival order, one per event-loop turn", async () => {
  const seen: string[] = [];
  const queue = createTurnQueue(unexpected);
  for (let i = 1; i <= 4; i++) queue.push(() => seen.push(`job ${i}`));
  assert.equal(queue.size, 4);
  // an immediate queued now runs in the same check phase as the first job, before the second
  setImmediate(() => seen.push("other work"));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen, ["job 1", "other work", "job 2", "job 3", "job 4"]);
  assert.equal(queue.size, 0);
});

test("a socket that becomes readable is served after a job or two, not after the whole queue", async () => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = connect(port, "127.0.0.1");
  await once(client, "connect");
  const [peer] = await accepted;
  try {
    const order: string[] = [];
    peer.once("data", () => order.push("probe"));
    // on loopback the bytes are in the peer's receive buffer once write returns
    client.write("GET /healthz\n");
    const queue = createTurnQueue(unexpected);
    for (let i = 0; i < 100; i++) queue.push(() => (busy(1), order.push("review")));
    await new Promise<void>((resolve) => queue.push(resolve));
    const probeAt = order.indexOf("probe");
    assert.ok(probeAt !== -1, "the socket was read");
    assert.ok(probeAt <= 2, `the socket was read after ${probeAt} of 100 jobs`);
  } finally {
    client.destroy();
    peer.destroy();
    server.close();
  }
});

test("a job that throws is reported and the jobs after it still run", async () => {
  const errors: unknown[] = [];
  const queue = createTurnQueue((err) => errors.push(err));
  const ran: number[] = [];
  queue.push(() => ran.push(1));
  queue.push(() => {
    throw new Error("review failed");
  });
  queue.push(() => ran.push(3));
  await new Promise<void>((resolve) => queue.push(resolve));
  assert.deepEqual(ran, [1, 3]);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /review failed/);
});

test("a queue that never empties still runs every job in order (it never runs a job twice or skips one)", async () => {
  const queue = createTurnQueue(unexpected);
  const ran: number[] = [];
  let next = 0;
  // each job queues the next two until 3000 were queued, so the queue stays non-empty throughout
  const job = (n: number) => () => {
    ran.push(n);
    for (let k = 0; k < 2 && next < 3000; k++) {
      const m = next++;
      queue.push(job(m));
    }
  };
  queue.push(job(next++));
  // every job ran once its last one has: the marker is queued behind job 2999
  await new Promise<void>((resolve) => {
    const wait = () => (next < 3000 ? setTimeout(wait, 20) : queue.push(resolve));
    wait();
  });
  assert.deepEqual(
    ran,
    Array.from({ length: 3000 }, (_, i) => i),
  );
  assert.equal(queue.size, 0);
});
