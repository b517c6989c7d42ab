import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { once } from "node:events";
import { createTurnQueue, type TurnJob } from "../../../webhook/server/turn-queue.ts";

/** a job in these tests does not throw; if one does, the test fails with it */
const unexpected = (err: unknown) => assert.fail(`a job threw: ${String(err)}`);

/** A job with the API server's ceiling as its timeout; expiring it fails the test. */
function job(run: () => void, timeoutMs = 30_000): TurnJob {
  return { timeoutMs, run, expire: () => assert.fail("a job expired") };
}

/** Resolves once every job queued before it has had its turn (its timeout is the longest). */
function drained(queue: { push(job: TurnJob): void }): Promise<void> {
  return new Promise<void>((resolve) => queue.push(job(resolve, 60_000)));
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test("jobs run in arrival order, one per event-loop turn", async () => {
  const seen: string[] = [];
  const queue = createTurnQueue(unexpected);
  for (let i = 1; i <= 4; i++) queue.push(job(() => seen.push(`job ${i}`)));
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
    for (let i = 0; i < 100; i++) queue.push(job(() => (busy(1), order.push("review"))));
    await drained(queue);
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
  queue.push(job(() => ran.push(1)));
  queue.push(
    job(() => {
      throw new Error("review failed");
    }),
  );
  queue.push(job(() => ran.push(3)));
  await drained(queue);
  assert.deepEqual(ran, [1, 3]);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /review failed/);
});

test("a queue that never empties still runs every job in order (it never runs a job twice or skips one)", async () => {
  const queue = createTurnQueue(unexpected);
  const ran: number[] = [];
  let next = 0;
  // each job queues the next two until 3000 were queued, so the queue stays non-empty throughout
  const numbered = (n: number): TurnJob =>
    job(() => {
      ran.push(n);
      for (let k = 0; k < 2 && next < 3000; k++) queue.push(numbered(next++));
    });
  queue.push(numbered(next++));
  // every job ran once its last one has: the marker is queued behind job 2999
  await new Promise<void>((resolve) => {
    const wait = () => (next < 3000 ? setTimeout(wait, 20) : queue.push(job(resolve, 60_000)));
    wait();
  });
  assert.deepEqual(
    ran,
    Array.from({ length: 3000 }, (_, i) => i),
  );
  assert.equal(queue.size, 0);
});

/** A clock the test moves by hand. */
function manualClock() {
  let at = 1000;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

test("a job whose client waits less runs before queued jobs whose clients wait longer (earliest deadline first)", async () => {
  const clock = manualClock();
  const queue = createTurnQueue(unexpected, clock.now);
  const ran: string[] = [];
  for (let i = 1; i <= 3; i++) queue.push(job(() => ran.push(`load ${i}`), 30_000));
  clock.advance(5);
  queue.push(job(() => ran.push("API server"), 10_000));
  await drained(queue);
  assert.deepEqual(ran, ["API server", "load 1", "load 2", "load 3"]);
});

test("a job that has waited long enough runs before a newer job with a shorter timeout (nothing starves)", async () => {
  const clock = manualClock();
  const queue = createTurnQueue(unexpected, clock.now);
  const ran: string[] = [];
  queue.push(job(() => ran.push("30 s, queued 25 s ago"), 30_000));
  clock.advance(25_000);
  queue.push(job(() => ran.push("10 s, new"), 10_000));
  await drained(queue);
  assert.deepEqual(ran, ["30 s, queued 25 s ago", "10 s, new"]);
});

test("a job whose deadline passed while it was queued is expired, not run, and the turn goes to the next job", async () => {
  const clock = manualClock();
  const queue = createTurnQueue(unexpected, clock.now);
  const events: string[] = [];
  const tracked = (name: string, timeoutMs: number): TurnJob => ({
    timeoutMs,
    run: () => events.push(`${name} ran`),
    expire: () => events.push(`${name} expired`),
  });
  queue.push(tracked("a", 10_000));
  queue.push(tracked("b", 10_000));
  queue.push(tracked("c", 30_000));
  clock.advance(10_000);
  // a and b reach their deadlines exactly now; c has 20 s left, d (new) 10 s
  queue.push(tracked("d", 10_000));
  setImmediate(() => events.push("next turn"));
  await drained(queue);
  assert.deepEqual(events, ["a expired", "b expired", "d ran", "next turn", "c ran"]);
  assert.equal(queue.size, 0);
});
