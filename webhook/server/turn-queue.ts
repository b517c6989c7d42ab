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
  let head = 0;
  let scheduled = false;
  const runOne = () => {
    scheduled = false;
    const job = jobs[head];
    jobs[head++] = undefined as never;
    if (head === jobs.length) {
      jobs.length = 0;
      head = 0;
    } else {
      // under sustained load the queue may never empty: drop the run part now and then
      if (head >= 1024 && head * 2 >= jobs.length) {
        jobs.splice(0, head);
        head = 0;
      }
      schedule();
    }
    if (!job) return;
    try {
      job();
    } catch (err) {
      onError(err);
    }
  };
  // setImmediate runs in the check phase: the next one waits for the next turn's poll phase
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(runOne);
  };
  return {
    push(job) {
      jobs.push(job);
      schedule();
    },
    get size() {
      return jobs.length - head;
    },
  };
}
