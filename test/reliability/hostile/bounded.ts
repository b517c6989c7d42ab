import { Worker } from "node:worker_threads";
import { mode } from "../../support/properties.ts";

/**
 * How long a property may run before it counts as hung. Far above a normal
 * run (seconds) so a busy machine does not fail it; a real hang never ends.
 * A fuzz run (`npm run fuzz`) runs far more cases: its bound is VAULTLET_FUZZ_HANG_MS
 * (default 6 hours), and the seed printed last names a property that hangs.
 */
export const HANG_BOUND_MS =
  mode.fuzzRuns === undefined ? 180_000 : Number(process.env.VAULTLET_FUZZ_HANG_MS || 6 * 3600_000);

export interface BoundOptions {
  readonly timeoutMs: number;
  readonly maxHeapMb?: number;
}

const WORKER_SOURCE = `
import { parentPort, workerData } from "node:worker_threads";
const mod = await import(workerData.moduleUrl);
try {
  const value = await mod[workerData.name]();
  parentPort.postMessage({ ok: true, value });
} catch (err) {
  parentPort.postMessage({ ok: false, message: err && err.stack ? err.stack : String(err) });
}
`;

/**
 * Runs one exported function of a property module in a worker thread and
 * fails if it does not finish in time. A hostile input that hangs a
 * synchronous parser cannot be interrupted on the main thread; terminating
 * the worker can, and a memory blow-up ends the worker (resource limits)
 * instead of the test process. The function throws (fast-check's
 * counterexample report) when a property fails. The worker gets this
 * process's environment, so test/support/properties.ts gives its properties
 * the same seed; the function's result (structured-cloned) is the answer.
 */
export function runBounded<T = void>(moduleUrl: URL, name: string, opts: BoundOptions): Promise<T> {
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`), {
    workerData: { moduleUrl: moduleUrl.href, name },
    resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 768 },
  });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (err) reject(err);
      else resolve(value as T);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(`${name} did not finish within ${opts.timeoutMs} ms: a hostile input hangs`),
        ),
      opts.timeoutMs,
    );
    worker.on("message", (m: { ok: boolean; message?: string; value?: T }) =>
      finish(m.ok ? undefined : new Error(`${name} failed:\n${m.message}`), m.value),
    );
    worker.on("error", (err) => finish(new Error(`${name} crashed its worker: ${err.message}`)));
    worker.on("exit", (code) =>
      finish(new Error(`${name} ended its worker (exit ${code}) without an answer`)),
    );
  });
}
