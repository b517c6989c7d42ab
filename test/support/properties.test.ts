import { test } from "node:test";
import assert from "node:assert/strict";
import fc, { FIXED_SEED, mode, modeFrom } from "./properties.ts";
import { runBounded } from "../reliability/hostile/bounded.ts";

test("npm test fixes the seed; a seed and path replay; fuzzing draws fresh seeds", () => {
  assert.deepEqual(modeFrom({}), {
    seed: FIXED_SEED,
    path: undefined,
    fuzzRuns: undefined,
    fuzzLog: undefined,
  });
  assert.deepEqual(modeFrom({ VAULTLET_PROPERTY_SEED: "-42", VAULTLET_PROPERTY_PATH: "3:1" }), {
    seed: -42,
    path: "3:1",
    fuzzRuns: undefined,
    fuzzLog: undefined,
  });
  assert.deepEqual(modeFrom({ VAULTLET_FUZZ_RUNS: "100000", VAULTLET_FUZZ_LOG: "/tmp/f" }), {
    seed: undefined,
    path: undefined,
    fuzzRuns: 100_000,
    fuzzLog: "/tmp/f",
  });
});

test("a bad setting names the variable and how to fix it", () => {
  assert.throws(
    () => modeFrom({ VAULTLET_FUZZ_RUNS: "many" }),
    /VAULTLET_FUZZ_RUNS=many .*unset it or fix it/,
  );
  assert.throws(() => modeFrom({ VAULTLET_PROPERTY_SEED: "1.5" }), /VAULTLET_PROPERTY_SEED=1\.5/);
  assert.throws(() => modeFrom({ VAULTLET_PROPERTY_PATH: "3:1" }), /set both/);
});

test("properties draw the same cases on every run, in worker threads too", async () => {
  const here = fc.sample(fc.integer(), 5);
  const again = fc.sample(fc.integer(), 5);
  const inWorker = await runBounded<number[]>(
    new URL("./properties-worker.props.ts", import.meta.url),
    "drawInWorker",
    { timeoutMs: 60_000 },
  );
  if (mode.seed === undefined) {
    // npm run fuzz: every draw has its own seed
    assert.notDeepEqual(again, here);
    assert.notDeepEqual(inWorker, here);
  } else {
    assert.deepEqual(again, here);
    assert.deepEqual(inWorker, here);
  }
});
