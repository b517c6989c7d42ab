/**
 * The API server sends each admission review with `?timeout=` set to its
 * webhook's timeoutSeconds, as a Go duration ("10s"), and gives up on the
 * review after it. The webhook schedules and expires reviews by it.
 */
import { parseDuration } from "../../shared/duration.ts";

/** The API server's ceiling for a webhook's timeout, and the assumption when none is sent. */
export const MAX_REVIEW_TIMEOUT_MS = 30_000;

/**
 * How long the client of `url` (a request path with its query) waits for the
 * review. A missing or unreadable `timeout` is taken as the API server's
 * ceiling, and nothing waits longer than that.
 */
export function reviewTimeoutMs(url: string): number {
  const q = url.indexOf("?");
  const value = q === -1 ? null : new URLSearchParams(url.slice(q + 1)).get("timeout");
  if (value === null) return MAX_REVIEW_TIMEOUT_MS;
  try {
    return Math.min(parseDuration(value, "timeout"), MAX_REVIEW_TIMEOUT_MS);
  } catch {
    return MAX_REVIEW_TIMEOUT_MS;
  }
}
