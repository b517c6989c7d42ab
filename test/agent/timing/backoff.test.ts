import { test } from "node:test";
import assert from "node:assert/strict";
import { Backoff } from "../../../agent/timing/backoff.ts";
import { pointIn, spread } from "../../../agent/timing/jitter.ts";

test("backoff doubles from min to max and stays there", () => {
  const b = new Backoff({ minMs: 1000, maxMs: 5000, random: () => 0.999999 });
  const waits = Array.from({ length: 6 }, () => Math.round(b.next()));
  assert.deepEqual(waits, [1000, 2000, 4000, 5000, 5000, 5000]);
  assert.equal(b.attempts, 6);
  b.reset();
  assert.equal(Math.round(b.next()), 1000);
});

test("backoff jitter trims at most 25% by default and never goes under the floor", () => {
  const low = new Backoff({ minMs: 1000, maxMs: 8000, random: () => 0 });
  assert.deepEqual([low.next(), low.next(), low.next(), low.next()], [750, 1500, 3000, 6000]);
  const weird = new Backoff({ minMs: 100, maxMs: 100, random: () => -5 });
  assert.equal(weird.next(), 75);
  const nan = new Backoff({ minMs: 100, maxMs: 100, random: () => Number.NaN });
  assert.equal(nan.next(), 75);
});

test("backoff stretch adds up to that fraction of the step, never past the ceiling", () => {
  const high = new Backoff({
    minMs: 1000,
    maxMs: 4000,
    jitter: 0.5,
    stretch: 0.5,
    random: () => 1,
  });
  assert.deepEqual(
    [high.next(), high.next(), high.next(), high.next()].map(Math.round),
    [1500, 3000, 4000, 4000],
  );
  const low = new Backoff({ minMs: 1000, maxMs: 4000, jitter: 0.5, stretch: 0.5, random: () => 0 });
  assert.deepEqual([low.next(), low.next(), low.next()], [500, 1000, 2000]);
  const mid = new Backoff({
    minMs: 1000,
    maxMs: 4000,
    jitter: 0.5,
    stretch: 0.5,
    random: () => 0.5,
  });
  assert.deepEqual([mid.next(), mid.next()], [1000, 2000]);
  for (const stretch of [-0.1, 1.5, Number.NaN]) {
    assert.throws(
      () => new Backoff({ minMs: 1, maxMs: 2, stretch }),
      (e: Error & { code?: string }) => e.code === "INVALID_BACKOFF" && /stretch/.test(e.message),
    );
  }
});

test("backoff refuses settings that would spin", () => {
  for (const [minMs, maxMs] of [
    [0, 10],
    [-1, 10],
    [10, 5],
    [Number.NaN, 10],
  ] as const) {
    assert.throws(
      () => new Backoff({ minMs, maxMs }),
      (e: Error & { code?: string }) => e.code === "INVALID_BACKOFF",
      `${minMs},${maxMs}`,
    );
  }
});

test("spread and pointIn draw inside the window", () => {
  assert.equal(
    spread(100, 0.5, 1, () => 0),
    50,
  );
  assert.equal(
    spread(100, 0.5, 1, () => 0.5),
    75,
  );
  assert.equal(
    pointIn(1000, 100, 0.85, 0.95, () => 0),
    1085,
  );
  assert.ok(pointIn(1000, 100, 0.85, 0.95, () => 1) < 1095 + 1e-9);
  assert.equal(
    pointIn(1000, -50, 0.5, 1, () => 0.5),
    1000,
  );
});
