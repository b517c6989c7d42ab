/**
 * Named one-shot timers: one pending action per name, rescheduling replaces
 * it. Node fires a setTimeout longer than 2^31-1 ms at once, which would turn
 * a 32-day KV lease into an immediate refetch loop, so long waits are chained.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const MAX_TIMER_MS = 2_147_483_647;

export class Scheduler {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #due = new Map<string, number>();
  readonly #clock: Clock;
  #stopped = false;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** run `fn` at time `at` (epoch ms); replaces any pending action of that name */
  at(name: string, at: number, fn: () => void): void {
    if (this.#stopped) return;
    this.cancel(name);
    this.#due.set(name, at);
    this.#arm(name, at, fn);
  }

  #arm(name: string, at: number, fn: () => void): void {
    const wait = Math.max(0, at - this.#clock.now());
    const timer = setTimeout(
      () => {
        if (this.#timers.get(name) !== timer) return;
        if (at - this.#clock.now() > 0 && wait >= MAX_TIMER_MS) {
          this.#arm(name, at, fn);
          return;
        }
        this.#timers.delete(name);
        this.#due.delete(name);
        fn();
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    this.#timers.set(name, timer);
  }

  /** when the named action is due, if pending */
  dueAt(name: string): number | undefined {
    return this.#due.get(name);
  }

  cancel(name: string): void {
    const t = this.#timers.get(name);
    if (t) clearTimeout(t);
    this.#timers.delete(name);
    this.#due.delete(name);
  }

  /** cancel everything and refuse new actions (shutdown) */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#due.clear();
  }

  get size(): number {
    return this.#timers.size;
  }
}
