import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_REVIEW_TIMEOUT_MS,
  parseGoDuration,
  reviewTimeoutMs,
} from "../../../webhook/server/review-timeout.ts";

test("Go durations as the API server writes them, and their other forms", () => {
  assert.equal(parseGoDuration("10s"), 10_000);
  assert.equal(parseGoDuration("30s"), 30_000);
  assert.equal(parseGoDuration("1m0s"), 60_000);
  assert.equal(parseGoDuration("1m30s"), 90_000);
  assert.equal(parseGoDuration("1.5s"), 1500);
  assert.equal(parseGoDuration("250ms"), 250);
  assert.equal(parseGoDuration("1h"), 3_600_000);
  assert.equal(parseGoDuration("500us"), 0.5);
  assert.equal(parseGoDuration("500µs"), 0.5);
  assert.equal(parseGoDuration("2ns"), 2e-6);
});

test("what is not a Go duration is undefined", () => {
  for (const bad of ["", "10", "s", "10x", "ten seconds", "-10s", "10s ", " 10s", "10s5"]) {
    assert.equal(parseGoDuration(bad), undefined, JSON.stringify(bad));
  }
});

test("a review's timeout comes from ?timeout=, capped at the API server's 30 s, which is also the default", () => {
  assert.equal(reviewTimeoutMs("/mutate?timeout=10s"), 10_000);
  assert.equal(reviewTimeoutMs("/mutate?x=1&timeout=5s"), 5000);
  assert.equal(reviewTimeoutMs("/mutate?timeout=2m0s"), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(reviewTimeoutMs("/mutate"), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(reviewTimeoutMs("/mutate?timeout="), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(reviewTimeoutMs("/mutate?timeout=soon"), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(MAX_REVIEW_TIMEOUT_MS, 30_000);
});
