/**
 * Runs CPU-bound jobs one per event-loop turn, in arrival order.
 *
 * Node reads every ready socket in one poll phase; if each read also did its
 * admission review there and then, a turn under 50 busy connections would be
 * 50 reviews long, and a new connection needs three or four turns (accept,
 * TLS handshake, request) before it is answered. On a starved CPU that put a
 * kubelet's /healthz behind minutes of reviews and the pod was restarted.
 * With one review per turn, the poll phase between two reviews accepts, shakes
 * hands and answers probes, so a probe waits for a few reviews, not hundreds.
 */
export interface TurnQueue {
  /** Queues `job`; it runs in a later turn, after the jobs queued before it. */
  push(job: () => void): void;
  /** Jobs waiting to run. */
  readonly size: number;
}

export function createTurnQueue(onError: (err: unknown) => void): TurnQueue {
  const jobs: (() => void)[] = [];
  // one immediate is pending exactly while jobs wait; setImmediate runs in the
  // check phase, so the next one waits for the next turn's poll phase
  const runOne = () => {
    const job = jobs.shift()!;
    if (jobs.length > 0) setImmediate(runOne);
    try {
      job();
    } catch (err) {
      onError(err);
    }
  };
  return {
    push(job) {
      if (jobs.push(job) === 1) setImmediate(runOne);
    },
    get size() {
      return jobs.length;
    },
  };
}
