/**
 * fast-check as vaultlet's property tests use it. Every property test imports
 * `fc` from here (lint refuses "fast-check" elsewhere), so one place decides
 * where the inputs come from:
 *
 * - `npm test` (CI): every property draws from the same fixed seed, so a
 *   commit passes or fails the same way on every run. A failure prints its
 *   seed and path (fast-check's report).
 * - replay: VAULTLET_PROPERTY_SEED=<seed> VAULTLET_PROPERTY_PATH=<path> runs
 *   the failing case first and stops there (narrow to one test with
 *   `--test-name-pattern`).
 * - fuzz (`npm run fuzz`): VAULTLET_FUZZ_RUNS=<n> gives every property a
 *   fresh random seed and at least n cases; each seed is printed, and
 *   appended to VAULTLET_FUZZ_LOG when set, before the property runs, so
 *   even a hang leaves its seed behind.
 *
 * Worker threads (test/reliability/hostile/bounded.ts) import this module
 * again with the same environment, so they follow the same rules.
 */
import { appendFileSync } from "node:fs";
import { randomInt } from "node:crypto";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import fastCheck from "fast-check";

/** The seed of every property under `npm test`. Changing it changes every generated input. */
export const FIXED_SEED = 20_261_203;

export interface PropertyMode {
  /** The seed every property uses, or undefined when each draws a fresh one (fuzzing). */
  readonly seed: number | undefined;
  /** A replay path (with seed): run that case first and stop at the first failure. */
  readonly path: string | undefined;
  /** In fuzz mode, the fewest cases each property runs. */
  readonly fuzzRuns: number | undefined;
  readonly fuzzLog: string | undefined;
}

function integerFrom(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name}=${text} is not an integer of at least ${min}: unset it or fix it`);
  return n;
}

export function modeFrom(env: NodeJS.ProcessEnv): PropertyMode {
  const fuzzRuns = integerFrom(env, "VAULTLET_FUZZ_RUNS", 1);
  const given = integerFrom(env, "VAULTLET_PROPERTY_SEED", -(2 ** 31));
  const path = env.VAULTLET_PROPERTY_PATH || undefined;
  if (path !== undefined && given === undefined)
    throw new Error("VAULTLET_PROPERTY_PATH replays a case of VAULTLET_PROPERTY_SEED: set both");
  return {
    seed: given ?? (fuzzRuns === undefined ? FIXED_SEED : undefined),
    path,
    fuzzRuns,
    fuzzLog: env.VAULTLET_FUZZ_LOG || undefined,
  };
}

export const mode: PropertyMode = modeFrom(process.env);

fastCheck.configureGlobal(
  mode.seed === undefined
    ? {}
    : { seed: mode.seed, ...(mode.path ? { path: mode.path, endOnFailure: true } : {}) },
);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** "test/x/y.test.ts:12", the property's place in the sources, for the fuzz log. */
function callSite(): string {
  const here = fileURLToPath(import.meta.url);
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const m = /(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (m && m[1] !== here) return `${relative(ROOT, m[1]!)}:${m[2]}`;
  }
  return "unknown place";
}

/** In fuzz mode: a fresh seed for this run, written down before it is used. */
function fuzzSeed(runs: number): number {
  const seed = randomInt(2 ** 31);
  const line = `fuzz: seed ${seed}, ${runs} runs, ${callSite()}\n`;
  process.stderr.write(line);
  if (mode.fuzzLog) appendFileSync(mode.fuzzLog, line);
  return seed;
}

type AssertParams = Parameters<typeof fastCheck.assert>[1];
type SampleParams = Parameters<typeof fastCheck.sample>[1];

function assertParams(params: AssertParams): AssertParams {
  if (mode.fuzzRuns === undefined || mode.seed !== undefined) return params;
  const runs = Math.max(params?.numRuns ?? 100, mode.fuzzRuns);
  return { ...params, numRuns: runs, seed: fuzzSeed(runs) };
}

function sampleParams(params: SampleParams): SampleParams {
  if (mode.fuzzRuns === undefined || mode.seed !== undefined) return params;
  // a sample's size is part of what the test checks: only the seed changes
  const runs = typeof params === "number" ? params : (params?.numRuns ?? 10);
  return { ...(typeof params === "object" ? params : {}), numRuns: runs, seed: fuzzSeed(runs) };
}

const assert = ((property: never, params?: AssertParams) =>
  fastCheck.assert(property, assertParams(params))) as typeof fastCheck.assert;
const sample = ((generator: never, params?: SampleParams) =>
  fastCheck.sample(generator, sampleParams(params))) as typeof fastCheck.sample;

/** fast-check with vaultlet's seeds and run counts. */
export const fc: typeof fastCheck = Object.freeze({ ...fastCheck, assert, sample });
export default fc;
