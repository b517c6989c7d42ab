/**
 * Runs async jobs one at a time, in the order asked: each job starts when
 * the one before has settled, and a failed job does not stop the next.
 */
export interface SerialQueue {
  run<T>(job: () => Promise<T>): Promise<T>;
  /** settles when every job asked for so far has settled */
  idle(): Promise<void>;
}

export function serialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(job) {
      const next = tail.then(job);
      tail = next.catch(() => undefined);
      return next;
    },
    idle: () => tail.then(() => undefined),
  };
}
