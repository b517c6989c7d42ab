import { pointIn, type Random } from "../timing/jitter.ts";
import { extendTolerance } from "../timing/extend-tolerance.ts";

/**
 * When to touch the token next. Pure: the token's state and the time in,
 * one action and its time out.
 *
 * - No renewal right after a login: the login already gave a full TTL.
 * - Renew at about 2/3 of the TTL, jittered so that agents started together
 *   drift apart.
 * - Renewal "stops extending" when Vault returns less than asked for (the
 *   token's max TTL caps it): from then on renewing is wasted, so log in again
 *   at about 2/3 of what is left, keeping the last third for replacing
 *   dynamic secrets the old token owns.
 * - A token that is not renewable is replaced the same way.
 */

/** fraction of the TTL at which the next renewal or login happens */
export const RENEW_WINDOW: readonly [number, number] = [0.62, 0.72];

/** below this much time left a login is started at once */
const MIN_USEFUL_TTL_MS = 1000;

export interface TokenLease {
  /** TTL Vault gave, milliseconds; 0 means the token never expires */
  ttlMs: number;
  renewable: boolean;
}

export type TokenPlan =
  | { action: "none"; expiresAt: undefined }
  | { action: "renew"; at: number; expiresAt: number }
  | { action: "login"; at: number; expiresAt: number; reason: "not-renewable" | "max-ttl" };

/** after a login (or adopting a token from a file) */
export function planAfterLogin(token: TokenLease, now: number, random: Random): TokenPlan {
  if (token.ttlMs <= 0) return { action: "none", expiresAt: undefined };
  const expiresAt = now + token.ttlMs;
  if (!token.renewable) return loginBefore(expiresAt, now, random, "not-renewable");
  return { action: "renew", at: pointIn(now, token.ttlMs, ...RENEW_WINDOW, random), expiresAt };
}

/**
 * after a successful renewal; `incrementMs` is what was asked for (the TTL the
 * login gave), `renewed` is what Vault returned
 */
export function planAfterRenewal(
  incrementMs: number,
  renewed: TokenLease,
  now: number,
  random: Random,
): TokenPlan {
  if (renewed.ttlMs <= 0) return { action: "none", expiresAt: undefined };
  const expiresAt = now + renewed.ttlMs;
  if (!renewed.renewable) return loginBefore(expiresAt, now, random, "not-renewable");
  if (renewed.ttlMs + extendTolerance(incrementMs) < incrementMs) {
    return loginBefore(expiresAt, now, random, "max-ttl");
  }
  return { action: "renew", at: pointIn(now, renewed.ttlMs, ...RENEW_WINDOW, random), expiresAt };
}

/**
 * after a renewal failed for a reason other than a rejected token: retry after
 * the backoff's wait, unless the token would be dead by then; then log in
 */
export function planAfterRenewalFailure(
  expiresAt: number,
  backoffWaitMs: number,
  now: number,
): { action: "renew" | "login"; at: number } {
  const retryAt = now + backoffWaitMs;
  if (retryAt >= expiresAt - MIN_USEFUL_TTL_MS) return { action: "login", at: now };
  return { action: "renew", at: retryAt };
}

function loginBefore(
  expiresAt: number,
  now: number,
  random: Random,
  reason: "not-renewable" | "max-ttl",
): TokenPlan {
  const left = expiresAt - now;
  const at = left <= MIN_USEFUL_TTL_MS ? now : pointIn(now, left, ...RENEW_WINDOW, random);
  return { action: "login", at, expiresAt, reason };
}

/**
 * Logins are rate-limited: at most one in flight, and never two starts closer
 * than `minSpacingMs`. Returns when the next login may start.
 */
export function nextLoginStart(
  lastStart: number | undefined,
  now: number,
  minSpacingMs: number,
): number {
  if (lastStart === undefined) return now;
  return Math.max(now, lastStart + minSpacingMs);
}
