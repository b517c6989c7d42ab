import { test } from "node:test";
import assert from "node:assert/strict";
import {
  deepEqual,
  empty,
  parseIntBase0,
  strslice,
  toInt64,
} from "../../../../../agent/template/functions/sprig/convert.ts";
import {
  Float64,
  JsonNumber,
  stringSlice,
} from "../../../../../agent/template/functions/values.ts";

test("toInt64 follows cast.ToInt64: base prefixes, octal, x.00, floats truncated, junk is 0", () => {
  const cases: Array<[unknown, bigint]> = [
    ["42", 42n],
    ["0x1F", 31n],
    ["010", 8n],
    ["0o17", 15n],
    ["0b101", 5n],
    ["1_000", 1000n],
    ["3.00", 3n],
    ["3.5", 0n],
    ["3.", 0n],
    ["x", 0n],
    ["", 0n],
    ["9223372036854775808", 0n],
    [new JsonNumber("12"), 12n],
    [3.9, 3n],
    [new Float64(-2.5), -2n],
    [true, 1n],
    [null, 0n],
    [{ a: 1 }, 0n],
  ];
  for (const [input, want] of cases) assert.equal(toInt64(input), want, String(input));
});

test("parseIntBase0 rejects misplaced underscores and out-of-range values", () => {
  for (const bad of ["_1", "1_", "1__0", "0x", "08", "+-1"])
    assert.equal(parseIntBase0(bad), undefined, bad);
  assert.equal(parseIntBase0("-9223372036854775808"), -(2n ** 63n));
  assert.equal(parseIntBase0("0x_1"), 1n);
});

test("empty is Go's zero value of the argument's kind", () => {
  for (const v of [null, "", 0, 0n, new Float64(0), false, [], {}]) assert.equal(empty(v), true);
  for (const v of ["a", 1, new Float64(0.5), true, [0], { k: null }]) assert.equal(empty(v), false);
});

test("deepEqual wants the same Go types, as reflect.DeepEqual does", () => {
  assert.equal(deepEqual(1, 1), true);
  assert.equal(deepEqual(1, new Float64(1)), false);
  assert.equal(deepEqual("1", new JsonNumber("1")), false);
  assert.equal(deepEqual([1, { a: [2] }], [1, { a: [2] }]), true);
  assert.equal(deepEqual(stringSlice(["a"]), ["a"]), false);
  assert.equal(deepEqual({ a: 1 }, { a: 1, b: 2 }), false);
});

test("strslice drops nil elements of a list and prints the rest with %v", () => {
  assert.deepEqual(strslice([1, null, "a", new Float64(2.5), [1, 2]]), ["1", "a", "2.5", "[1 2]"]);
  assert.deepEqual(strslice(null), []);
  assert.deepEqual(strslice(7), ["7"]);
});
