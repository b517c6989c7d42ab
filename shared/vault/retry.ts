/**
 * When a Vault call is tried again, and after how long. Jitter on every
 * delay, so pods that lost Vault together do not come back in lock-step.
 */

export interface RetryPolicy {
  /** retries after the first attempt (0 = try once) */
  retries: number;
  /** delay before the first retry, before jitter */
  baseDelayMs: number;
  /** cap on any single delay */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 250, maxDelayMs: 5000 };

/**
 * Retry on 412 (a performance standby not yet caught up), 429 (rate limited)
 * and 5xx except 501 (not initialised: waiting will not fix it). No other 4xx:
 * asking again with the same input gets the same answer.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 412 || status === 429 || (status >= 500 && status !== 501);
}

/** Delay before retry number `retry` (1-based): doubling, capped, then 50-100% of that. */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(full * (0.5 + random() * 0.5));
}
