/**
 * Runs CPU-bound jobs one per event-loop turn, earliest deadline first.
 *
 * Node reads every ready socket in one poll phase; if each read also did its
 * admission review there and then, a turn under 50 busy connections would be
 * 50 reviews long, and a new connection needs three or four turns (accept,
 * TLS handshake, request) before it is answered. On a starved CPU that put a
 * kubelet's /healthz behind minutes of reviews and the pod was restarted.
 * With one review per turn, the poll phase between two reviews accepts, shakes
 * hands and answers probes, so a probe waits for a few reviews, not hundreds.
 *
 * Deadlines: the API server gives each review its webhook's timeout (10 s in
 * the chart, 30 s at most) and abandons it then. In arrival order, a review
 * with 10 s left waits behind every review that still has 30 s, and under
 * load it can run out of time in the queue. Serving the earliest deadline
 * first spends the CPU where an answer is still awaited soonest; a job whose
 * deadline has passed is expired without running, since nobody waits for it.
 */
export interface TurnJob {
  /** How long the caller waits for this job, counted from `push`, in milliseconds. */
  readonly timeoutMs: number;
  run(): void;
  /** Called instead of `run` when the job's turn comes after its deadline. */
  expire(): void;
}

export interface TurnQueue {
  /** Queues `job`; it runs in a later turn, after the jobs queued before it with deadlines no later than its own. */
  push(job: TurnJob): void;
  /** Jobs waiting to run. */
  readonly size: number;
}

interface Entry {
  readonly job: TurnJob;
  readonly deadline: number;
}

/** A clock in milliseconds; tests pass their own. */
export type Clock = () => number;

export function createTurnQueue(
  onError: (err: unknown) => void,
  now: Clock = () => performance.now(),
): TurnQueue {
  // One first-in-first-out lane per timeout: within a lane deadlines never
  // decrease, so the earliest deadline overall is one of the lanes' heads,
  // and there are as many lanes as distinct timeouts (one or two in practice);
  // an empty lane is deleted, so no lanes means no jobs.
  const lanes = new Map<number, Entry[]>();
  const takeEarliest = (): Entry | undefined => {
    let best: Entry[] | undefined;
    for (const lane of lanes.values()) {
      if (!best || lane[0]!.deadline < best[0]!.deadline) best = lane;
    }
    if (!best) return undefined;
    const entry = best.shift()!;
    if (best.length === 0) lanes.delete(entry.job.timeoutMs);
    return entry;
  };
  const call = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      onError(err);
    }
  };
  // one immediate is pending while jobs wait; setImmediate runs in the check
  // phase, so the next one waits for the next turn's poll phase
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    setImmediate(runOne);
  };
  const runOne = () => {
    pending = false;
    const at = now();
    let entry = takeEarliest();
    // expiring costs next to nothing, so the turn goes on to a job worth running
    while (entry && entry.deadline <= at) {
      call(() => entry!.job.expire());
      entry = takeEarliest();
    }
    if (lanes.size > 0) schedule();
    if (entry) call(() => entry.job.run());
  };
  return {
    push(job) {
      const entry = { job, deadline: now() + job.timeoutMs };
      const lane = lanes.get(job.timeoutMs);
      if (lane) lane.push(entry);
      else lanes.set(job.timeoutMs, [entry]);
      schedule();
    },
    get size() {
      let n = 0;
      for (const lane of lanes.values()) n += lane.length;
      return n;
    },
  };
}
