import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_REVIEW_TIMEOUT_MS, reviewTimeoutMs } from "../../../webhook/server/review-timeout.ts";

test("a review's timeout comes from ?timeout=, capped at the API server's 30 s, which is also the default", () => {
  assert.equal(reviewTimeoutMs("/mutate?timeout=10s"), 10_000);
  assert.equal(reviewTimeoutMs("/mutate?x=1&timeout=5s"), 5000);
  assert.equal(reviewTimeoutMs("/mutate?timeout=1.5s"), 1500);
  assert.equal(reviewTimeoutMs("/mutate?timeout=1ns"), 1e-6);
  assert.equal(reviewTimeoutMs("/mutate?timeout=2m0s"), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(reviewTimeoutMs("/mutate"), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(reviewTimeoutMs("/mutate?timeout="), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(reviewTimeoutMs("/mutate?timeout=soon"), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(reviewTimeoutMs("/mutate?timeout=-10s"), MAX_REVIEW_TIMEOUT_MS);
  assert.equal(MAX_REVIEW_TIMEOUT_MS, 30_000);
});
