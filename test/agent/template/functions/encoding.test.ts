import { test } from "node:test";
import assert from "node:assert/strict";
import * as e from "../../../../agent/template/functions/encoding.ts";
import { render, renderError } from "../go/render-helpers.ts";

test("base64 standard and URL encodings keep Go's padding", () => {
  assert.equal(e.base64Encode("hé?>"), "aMOpPz4=");
  assert.equal(e.base64URLEncode("hé?>"), "aMOpPz4=");
  assert.equal(e.base64URLEncode("\u00ff\u00fe"), "w7_Dvg==");
  assert.equal(e.base64Decode("aMOpPz4="), "hé?>");
  assert.equal(e.base64URLDecode("w7_Dvg=="), "\u00ff\u00fe");
  assert.equal(render('{{ "secret" | base64Encode | base64Decode }}'), "secret");
});

test("base64 decoding is strict and reports the byte, never the input", () => {
  assert.throws(() => e.base64Decode("ab$d"), /base64Decode: illegal base64 data at input byte 2/);
  assert.throws(() => e.base64Decode("abc"), /illegal base64 data at input byte/);
  assert.throws(
    () => e.base64URLDecode("a+b/"),
    /base64URLDecode: illegal base64 data at input byte 1/,
  );
  const err = renderError('{{ with secret "kv1/app" }}{{ base64Decode .Data.password }}{{ end }}');
  assert.match(
    err.message,
    /error calling base64Decode: base64Decode: illegal base64 data at input byte 4/,
  );
  assert.doesNotMatch(err.message, /hunter2/);
});

test("digests", () => {
  assert.equal(
    e.sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(e.md5sum("abc"), "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(render('{{ "abc" | sha256Hex }}'), e.sha256Hex("abc"));
});
