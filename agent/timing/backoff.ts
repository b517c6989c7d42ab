import { VaultletError } from "../../shared/errors.ts";
import { defaultRandom, spread, type Random } from "./jitter.ts";

export interface BackoffOptions {
  /** first wait, milliseconds (> 0) */
  minMs: number;
  /** ceiling of the doubling, milliseconds (>= minMs) */
  maxMs: number;
  /** fraction of each step that may be trimmed at random; 0.25 keeps waits in [75%, 100%] */
  jitter?: number;
  /**
   * fraction of each step that may be added at random (default 0), never past
   * maxMs. With jitter 0.5 and stretch 1 waits fall in [50%, 200%] of the
   * step: clients that failed together drift apart faster.
   */
  stretch?: number;
  random?: Random;
}

/**
 * Doubling backoff with jitter. A wait is never below `minMs * (1 - jitter)`,
 * so a failure loop can never spin: the floor is enforced here, not by callers.
 */
export class Backoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly #jitter: number;
  readonly #stretch: number;
  readonly #random: Random;
  #step: number;
  #attempts = 0;

  constructor(options: BackoffOptions) {
    const { minMs, maxMs } = options;
    if (!(minMs > 0) || !Number.isFinite(minMs)) {
      throw new VaultletError("INVALID_BACKOFF", `min_backoff must be above zero (got ${minMs}ms)`);
    }
    if (!(maxMs >= minMs) || !Number.isFinite(maxMs)) {
      throw new VaultletError(
        "INVALID_BACKOFF",
        `max_backoff (${maxMs}ms) must not be below min_backoff (${minMs}ms)`,
      );
    }
    const jitter = options.jitter ?? 0.25;
    if (!(jitter >= 0 && jitter < 1)) {
      throw new VaultletError(
        "INVALID_BACKOFF",
        `backoff jitter must be in [0, 1) (got ${jitter})`,
      );
    }
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.#jitter = jitter;
    const stretch = options.stretch ?? 0;
    if (!(stretch >= 0 && stretch <= 1)) {
      throw new VaultletError(
        "INVALID_BACKOFF",
        `backoff stretch must be in [0, 1] (got ${stretch})`,
      );
    }
    this.#stretch = stretch;
    this.#random = options.random ?? defaultRandom;
    this.#step = minMs;
  }

  /** failures seen since the last reset */
  get attempts(): number {
    return this.#attempts;
  }

  /** the wait before the next attempt; doubles the step for the one after */
  next(): number {
    const step = this.#step;
    this.#step = Math.min(step * 2, this.maxMs);
    this.#attempts++;
    // stretched or not, no wait is longer than the ceiling
    return Math.min(this.maxMs, spread(step, 1 - this.#jitter, 1 + this.#stretch, this.#random));
  }

  reset(): void {
    this.#step = this.minMs;
    this.#attempts = 0;
  }
}
