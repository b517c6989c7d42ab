import { test } from "node:test";
import assert from "node:assert/strict";
import { semverCompare } from "../../../../../agent/template/functions/sprig/semver-constraints.ts";
import { hostsFileAddresses } from "../../../../../agent/template/functions/sprig/hosts.ts";

test("a long constraint list with runs of spaces is checked unit by unit, not by backtracking", () => {
  const many = Array.from({ length: 500 }, () => ">=1.0.0").join("    ");
  assert.equal(semverCompare(many, "1.2.3"), true);
  assert.throws(
    () => semverCompare(`${many}    !`, "1.2.3"),
    /^FunctionError: improper constraint: /,
  );
});

test("hosts file addresses: every line naming the host, in file order, comments and case ignored", () => {
  const text =
    "127.0.0.1 localhost # loopback\n::1 LocalHost ip6-localhost\n# 10.0.0.1 localhost\nbad localhost\n";
  assert.deepEqual(hostsFileAddresses(text, "localhost"), ["127.0.0.1", "::1"]);
  assert.deepEqual(hostsFileAddresses(text, "ip6-localhost"), ["::1"]);
  assert.deepEqual(hostsFileAddresses(text, "other"), []);
});
