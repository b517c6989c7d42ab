import { test } from "node:test";
import assert from "node:assert/strict";
import { editDistance } from "../../shared/edit-distance.ts";

test("edit distance counts inserts, deletes and substitutions", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("same", "same"), 0);
  assert.equal(editDistance("listner", "listener"), 1);
});
