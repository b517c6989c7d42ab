import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../shared/duration.ts";

test("parseDuration accepts Go syntax and bare seconds", () => {
  const cases: Array<[string | number, number]> = [
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["300", 300_000],
    [42, 42_000],
    ["0", 0],
    ["2h45m30.5s", 9_930_500],
  ];
  for (const [input, want] of cases) assert.equal(parseDuration(input), want, String(input));
});

test("parseDuration rejects garbage with a message naming the setting", () => {
  for (const bad of ["", "5 minutes", "-5s", "1x", "s", "1h 30m"]) {
    assert.throws(
      () => parseDuration(bad, "auth-min-backoff"),
      (err: Error & { code?: string }) =>
        err.code === "INVALID_DURATION" && err.message.startsWith("auth-min-backoff:"),
      bad,
    );
  }
});

test("formatDuration prints like Go's time.Duration", () => {
  assert.equal(formatDuration(5_400_000), "1h30m0s");
  assert.equal(formatDuration(90_000), "1m30s");
  assert.equal(formatDuration(1500), "1.5s");
  assert.equal(formatDuration(250), "250ms");
  assert.equal(formatDuration(0), "0s");
});

test("parseDuration keeps whole milliseconds exact despite float sums", () => {
  assert.equal(parseDuration("1.001s"), 1001);
  assert.equal(parseDuration("0.1"), 100);
  assert.equal(parseDuration("1h0.3s"), 3_600_300);
});
