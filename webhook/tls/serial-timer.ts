import { serialQueue } from "../../shared/serial.ts";

/**
 * A round that runs on a jittered timer and on demand, never two at once.
 * Jitter (±20 %) keeps replicas from calling the API server in lockstep.
 */
export interface SerialTimer {
  /** one round now, after any round in progress; rejects with its error */
  run(): Promise<void>;
  /** as run, but a failure goes to onError */
  runGuarded(): Promise<void>;
  /** rounds every everyMs from now on */
  start(): void;
  /** no more rounds; settles after the one in progress */
  stop(): Promise<void>;
}

export function serialTimer(
  round: () => Promise<void>,
  everyMs: number,
  onError: (err: unknown) => void,
): SerialTimer {
  const queue = serialQueue();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = () => queue.run(round);
  const runGuarded = () => run().catch(onError);
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => void runGuarded().then(schedule),
      everyMs * (0.8 + Math.random() * 0.4),
    );
    timer.unref();
  };
  return {
    run,
    runGuarded,
    start: schedule,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await queue.idle();
    },
  };
}
