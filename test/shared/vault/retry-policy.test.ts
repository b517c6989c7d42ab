import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import { isRetryableStatus, retryDelayMs } from "../../../shared/vault/retry.ts";
import { codeForStatus, scrub, stringsIn } from "../../../shared/vault/errors.ts";

test("retryable statuses: 412, 429, 5xx but 501", () => {
  const retryable = [412, 429, 500, 502, 503, 504, 599];
  const not = [200, 204, 301, 400, 401, 403, 404, 405, 409, 501];
  for (const s of retryable) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of not) assert.equal(isRetryableStatus(s), false, String(s));
});

test("retry delays double, cap, and keep 50-100% of the step (jitter)", () => {
  const policy = { retries: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(
    retryDelayMs(policy, 1, () => 1),
    100,
  );
  assert.equal(
    retryDelayMs(policy, 1, () => 0),
    50,
  );
  assert.equal(
    retryDelayMs(policy, 3, () => 1),
    400,
  );
  assert.equal(
    retryDelayMs(policy, 9, () => 1),
    1000,
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      (n, r) => {
        const d = retryDelayMs(policy, n, () => r);
        const step = Math.min(1000, 100 * 2 ** (n - 1));
        return d >= step / 2 - 1 && d <= step;
      },
    ),
  );
});

test("status codes map to stable error codes; sealed needs Vault's message", () => {
  assert.equal(codeForStatus(403, []), "VAULT_PERMISSION_DENIED");
  assert.equal(codeForStatus(401, []), "VAULT_PERMISSION_DENIED");
  assert.equal(codeForStatus(404, []), "VAULT_NOT_FOUND");
  assert.equal(codeForStatus(400, []), "VAULT_BAD_REQUEST");
  assert.equal(codeForStatus(429, []), "VAULT_RATE_LIMITED");
  assert.equal(codeForStatus(503, ["Vault is sealed"]), "VAULT_SEALED");
  assert.equal(codeForStatus(503, ["upstream down"]), "VAULT_UNAVAILABLE");
  assert.equal(codeForStatus(500, []), "VAULT_UNAVAILABLE");
  assert.equal(codeForStatus(409, []), "VAULT_ERROR");
});

test("scrub removes every given value (longest first) and stringsIn finds nested strings", () => {
  const values = stringsIn({ a: "s3cret-one", b: ["s3cret-one-longer", { c: "xy" }], n: 5 });
  assert.deepEqual(values, ["s3cret-one", "s3cret-one-longer", "xy"]);
  assert.equal(
    scrub("got s3cret-one-longer and s3cret-one and xy", values),
    "got [redacted] and [redacted] and xy",
  );
});
