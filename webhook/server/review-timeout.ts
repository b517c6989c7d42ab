/**
 * The API server sends each admission review with `?timeout=` set to its
 * webhook's timeoutSeconds, as a Go duration ("10s"), and gives up on the
 * review after it. The webhook schedules and expires reviews by it.
 */

/** The API server's ceiling for a webhook's timeout, and the assumption when none is sent. */
export const MAX_REVIEW_TIMEOUT_MS = 30_000;

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ns: 1e-6,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|μs|ns)/y;

/** A Go duration ("10s", "1m30s", "1.5s") in milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "") return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return total;
}

/**
 * How long the client of `url` (a request path with its query) waits for the
 * review. A missing or unreadable `timeout` is taken as the API server's
 * ceiling, and nothing waits longer than that.
 */
export function reviewTimeoutMs(url: string): number {
  const q = url.indexOf("?");
  if (q === -1) return MAX_REVIEW_TIMEOUT_MS;
  const value = new URLSearchParams(url.slice(q + 1)).get("timeout");
  const ms = value === null ? undefined : parseGoDuration(value);
  return ms === undefined ? MAX_REVIEW_TIMEOUT_MS : Math.min(ms, MAX_REVIEW_TIMEOUT_MS);
}
