import { test } from "node:test";
import assert from "node:assert/strict";
import { render } from "../go/render-helpers.ts";
import { parseKeepingDataNumbers } from "../../../../shared/vault/json.ts";

// A key named "__proto__" in data (parsed JSON or YAML, a Vault secret) is an
// ordinary map key, as in Go; it must never replace a map's prototype.
const RANGE = `{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}`;

test("parseJSON and parseYAML keep a __proto__ key as a map entry", () => {
  assert.equal(
    render(`{{ with parseJSON "{\\"__proto__\\":[],\\"a\\":\\"b\\"}" }}${RANGE}{{ end }}`),
    "__proto__=[];a=b;",
  );
  assert.equal(
    render(`{{ with parseYAML "__proto__: x\\na: b" }}${RANGE}{{ end }}`),
    "__proto__=x;a=b;",
  );
});

test("mergeMap, explodeMap and splitToMap keep __proto__ keys as entries", () => {
  assert.equal(
    render(
      `{{ with mergeMap (parseJSON "{\\"a\\":1}") (parseJSON "{\\"__proto__\\":{\\"x\\":1}}") }}${RANGE}{{ end }}`,
    ),
    "__proto__=map[x:1];a=1;",
  );
  assert.equal(
    render(`{{ with explodeMap (parseJSON "{\\"__proto__/x\\":\\"1\\"}") }}${RANGE}{{ end }}`),
    "__proto__=map[x:1];",
  );
  assert.equal(
    render(`{{ with splitToMap "," "=" "__proto__=1,b=2" }}${RANGE}{{ end }}`),
    "__proto__=1;b=2;",
  );
});

test("a Vault response whose secret holds a __proto__ key keeps it as data", () => {
  const parsed = parseKeepingDataNumbers(
    '{"lease_id":"","auth":{"__proto__":[],"n":1},"data":{"data":{"__proto__":"v","a":"b"}}}',
  ) as { auth: Record<string, unknown>; data: { data: Record<string, unknown> } };
  assert.deepEqual(Object.keys(parsed.data.data), ["__proto__", "a"]);
  assert.equal(Object.getPrototypeOf(parsed.data.data), Object.prototype);
  assert.deepEqual(Object.keys(parsed.auth), ["__proto__", "n"]);
  assert.equal(Object.getPrototypeOf(parsed.auth), Object.prototype);
});
