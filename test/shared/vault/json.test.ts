import { test } from "node:test";
import assert from "node:assert/strict";
import { JsonNumber } from "../../../shared/json-number.ts";
import { parseKeepingDataNumbers } from "../../../shared/vault/json.ts";

test("numbers under data keep their text at any depth; envelope numbers stay plain", () => {
  const parsed = parseKeepingDataNumbers(
    '{"lease_duration":3600,"data":{"a":1e3,"b":[10.50,-0.0],"c":{"d":7,"e":"8"},"big":12345678901234567890},' +
      '"auth":{"lease_duration":60},"wrap_info":null}',
  ) as Record<string, unknown>;
  assert.equal(parsed.lease_duration, 3600);
  assert.deepEqual(parsed.auth, { lease_duration: 60 });
  const data = parsed.data as {
    a: JsonNumber;
    b: JsonNumber[];
    c: { d: JsonNumber; e: string };
    big: JsonNumber;
  };
  assert.ok(data.a instanceof JsonNumber);
  assert.deepEqual(
    [data.a.text, data.b[0]?.text, data.b[1]?.text, data.c.d.text, data.c.e, data.big.text],
    ["1e3", "10.50", "-0.0", "7", "8", "12345678901234567890"],
  );
  assert.equal(data.a.value, 1000);
});

test("bodies without data, null data and non-object bodies parse", () => {
  assert.deepEqual(parseKeepingDataNumbers('{"errors":[]}'), { errors: [] });
  assert.deepEqual(parseKeepingDataNumbers('{"data":null,"n":1}'), { data: null, n: 1 });
  assert.deepEqual(parseKeepingDataNumbers("[1,2]"), [1, 2]);
  assert.throws(() => parseKeepingDataNumbers("<html>"), SyntaxError);
});
