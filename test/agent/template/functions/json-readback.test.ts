import { test } from "node:test";
import assert from "node:assert/strict";
import { marshal } from "../../../../agent/template/functions/json.ts";
import { parseJson } from "../../../../shared/json.ts";
import { parseKeepingDataNumbers } from "../../../../shared/vault/json.ts";

/**
 * An order-dependent CI failure of the toJSON property, replayed in the order
 * that sets it up: an earlier case with a key holding a backslash, then one
 * whose "&" Go writes as "\u0026". V8's JSON.parse read that "&" back as "\\"
 * (nodejs/node#63785); the failure's counterexample is reduced here to the
 * keys that matter. The tests have their own file so that nothing parsed
 * before them changes the shapes V8 remembers.
 */
test("toJSON output reads back as written after a case with a key holding a backslash", () => {
  const earlier = [{ "": true, "\\": null }];
  const later = [{ "": true, "&": null }];
  assert.deepEqual(parseJson(marshal(earlier)), earlier);
  assert.equal(marshal(later), '[{"":true,"\\u0026":null}]');
  assert.deepEqual(parseJson(marshal(later)), later);
});

test("a Vault answer's escaped keys read as written after an answer with a backslash key", () => {
  // Vault writes "&" in a key as \u0026, as Go's encoding/json does
  const earlier = parseKeepingDataNumbers(`{"data":{"dir":"a","C:\\\\":"b"}}`);
  const later = parseKeepingDataNumbers(`{"data":{"dir":"a","C:\\u0026":"b"}}`);
  assert.deepEqual(earlier, { data: { dir: "a", "C:\\": "b" } });
  assert.deepEqual(later, { data: { dir: "a", "C:&": "b" } });
});
