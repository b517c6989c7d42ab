import { test } from "node:test";
import assert from "node:assert/strict";
import { marshal, quote } from "../../../../agent/template/functions/json.ts";
import { Float64, JsonNumber, markStruct } from "../../../../agent/template/functions/values.ts";
import { secretFromResponse, DB_CREDS_RESPONSE, PKI_CERT } from "../recorded.ts";
import { render, renderError } from "../go/render-helpers.ts";

test("keys sorted by bytes, no spaces, no trailing newline", () => {
  assert.equal(
    marshal({ b: 1, a: "x", B: [true, null], é: {} }),
    '{"B":[true,null],"a":"x","b":1,"é":{}}',
  );
});

test("HTML characters and line separators are escaped as Go does", () => {
  assert.equal(
    quote('<a href="x">&</a>\u2028\u2029'),
    '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028\\u2029"',
  );
  assert.equal(quote("\b\f\n\r\t\u0001\u001f\\"), '"\\b\\f\\n\\r\\t\\u0001\\u001f\\\\"');
  assert.equal(quote("\ud800x"), '"\\ufffdx"');
  assert.equal(marshal("<&>", { escapeHTML: false }), '"<&>"');
});

test("numbers: json.Number as written, float64 as Go writes it", () => {
  assert.equal(
    marshal([
      new JsonNumber("10.50"),
      new JsonNumber("1e3"),
      new Float64(1e6),
      new Float64(1e21),
      new Float64(1e-7),
      3,
      0.5,
    ]),
    "[10.50,1e3,1000000,1e+21,1e-7,3,0.5]",
  );
  assert.throws(() => marshal(new Float64(NaN)), /json: unsupported value: NaN/);
});

test("MarshalIndent with two spaces", () => {
  assert.equal(
    marshal({ a: [1, { b: [] }], c: {} }, { indent: "  " }),
    '{\n  "a": [\n    1,\n    {\n      "b": []\n    }\n  ],\n  "c": {}\n}',
  );
});

test("structs marshal in field order", () => {
  const s = markStruct(secretFromResponse(DB_CREDS_RESPONSE), "secret");
  assert.equal(
    marshal(s),
    '{"RequestID":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","LeaseID":"database/creds/app/Xk2vQ9","LeaseDuration":3600,"Renewable":true,"Data":{"password":"A1a-5nF0q8","username":"v-jwt-app-Tq3p-1714557600"},"Warnings":null,"Auth":null,"WrapInfo":null}',
  );
  assert.equal(
    marshal(markStruct({ ...PKI_CERT, CAChain: undefined } as never, "pki")),
    JSON.stringify({ Cert: PKI_CERT.Cert, Key: PKI_CERT.Key, CA: PKI_CERT.CA }),
  );
});

test("toJSON, toJSONPretty and the unescaped variants in templates", () => {
  assert.equal(
    render('{{ with secret "secret/data/app" }}{{ .Data.data | toJSON }}{{ end }}'),
    '{"password":"s3cr3t!","username":"app"}',
  );
  assert.equal(
    render('{{ with secret "secret/data/app" }}{{ .Data.data | toJSONPretty }}{{ end }}'),
    '{\n  "password": "s3cr3t!",\n  "username": "app"\n}',
  );
  assert.equal(
    render(
      '{{ with secret "kv1/app" }}{{ .Data.html | toUnescapedJSON }} {{ toJSON .Data.html }}{{ end }}',
    ),
    '"<a&b>" "\\u003ca\\u0026b\\u003e"',
  );
  assert.equal(render('{{ parseJSON "[1,2.5,1000000]" | toJSON }}'), "[1,2.5,1000000]");
  assert.equal(render("{{ toJSON .Missing }}"), "null");
});

test("toJSON errors name the function", () => {
  assert.match(
    renderError('{{ toJSON (parseFloat "NaN") }}').message,
    /error calling toJSON: toJSON: json: unsupported value: NaN$/,
  );
});
