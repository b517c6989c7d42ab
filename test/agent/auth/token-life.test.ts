import { test } from "node:test";
import assert from "node:assert/strict";
import {
  nextLoginStart,
  planAfterLogin,
  planAfterRenewal,
  planAfterRenewalFailure,
} from "../../../agent/auth/token-life.ts";

const lo = () => 0;
const hi = () => 0.999999;

test("after a login the first renewal waits for about 2/3 of the TTL, never at once", () => {
  const now = 1_000_000;
  for (const random of [lo, hi]) {
    const p = planAfterLogin({ ttlMs: 60_000, renewable: true }, now, random);
    assert.equal(p.action, "renew");
    assert.ok(p.action === "renew" && p.at >= now + 0.6 * 60_000 && p.at <= now + 0.73 * 60_000);
    assert.equal(p.expiresAt, now + 60_000);
  }
});

test("a token that is not renewable is replaced by a login before it expires", () => {
  const p = planAfterLogin({ ttlMs: 30_000, renewable: false }, 0, lo);
  assert.deepEqual(p, {
    action: "login",
    at: 0.62 * 30_000,
    expiresAt: 30_000,
    reason: "not-renewable",
  });
});

test("a token without TTL needs no upkeep", () => {
  assert.equal(planAfterLogin({ ttlMs: 0, renewable: false }, 5, lo).action, "none");
});

test("a renewal that extends fully schedules the next renewal", () => {
  const p = planAfterRenewal(60_000, { ttlMs: 60_000, renewable: true }, 100, lo);
  assert.equal(p.action, "renew");
  // a second short of an hour still counts as extending
  assert.equal(
    planAfterRenewal(3_600_000, { ttlMs: 3_599_000, renewable: true }, 100, lo).action,
    "renew",
  );
  // a second short of a TTL of seconds is the max TTL's cap
  assert.equal(planAfterRenewal(3000, { ttlMs: 2000, renewable: true }, 100, lo).action, "login");
});

test("a renewal capped by the max TTL switches to a login before the end", () => {
  const p = planAfterRenewal(60_000, { ttlMs: 20_000, renewable: true }, 1000, hi);
  assert.equal(p.action, "login");
  assert.ok(p.action === "login" && p.reason === "max-ttl");
  assert.ok(p.action === "login" && p.at > 1000 && p.at < 1000 + 20_000 * 0.73);
  assert.equal(p.expiresAt, 21_000);
});

test("with under a second left the login starts at once", () => {
  const p = planAfterRenewal(60_000, { ttlMs: 800, renewable: true }, 50, hi);
  assert.deepEqual(p, { action: "login", at: 50, expiresAt: 850, reason: "max-ttl" });
});

test("renewal failures retry after the backoff wait, or log in when the token would be dead", () => {
  assert.deepEqual(planAfterRenewalFailure(100_000, 2000, 10_000), { action: "renew", at: 12_000 });
  assert.deepEqual(planAfterRenewalFailure(12_500, 2000, 10_000), { action: "login", at: 10_000 });
});

test("logins are spaced: a request right after a login waits for the spacing", () => {
  assert.equal(nextLoginStart(undefined, 500, 1000), 500);
  assert.equal(nextLoginStart(400, 500, 1000), 1400);
  assert.equal(nextLoginStart(400, 5000, 1000), 5000);
});
