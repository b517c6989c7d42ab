import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  bytesToGoString,
  goStringBytes,
  unquoteGo,
  unquoteGoRune,
} from "../../shared/go-string.ts";

/** Bytes of what unquoteGo returns, as Go would hold the string. */
const bytesOf = (literal: string, hcl = false) =>
  [...goStringBytes(unquoteGo(literal, { hcl }))].map((b) => b.toString(16).padStart(2, "0"));

describe("Go string literals (strconv.Unquote)", () => {
  // [literal, the bytes Go's strconv.Unquote gives for it, in hex]
  const table: Array<[string, string]> = [
    ['"plain"', "706c61696e"],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', "07080c0a0d090b5c22"],
    ['"\\xc3\\xa9"', "c3a9"],
    ['"\\xC3\\xA9"', "c3a9"],
    ['"\\303\\251"', "c3a9"],
    ['"\\u00e9"', "c3a9"],
    ['"\\U0001F600"', "f09f9880"],
    ['"\\xff"', "ff"],
    ['"a\\xc3"', "61c3"],
    ['"\\xe2\\x82"', "e282"],
    // a UTF-8-encoded surrogate and an overlong form stay bytes, not characters
    ['"\\xed\\xa0\\x80"', "eda080"],
    ['"\\xc0\\xaf"', "c0af"],
    ['"\\xc3\\xa9\\xff\\303"', "c3a9ffc3"],
    ['"é\\xff"', "c3a9ff"],
    ["`raw \\x41 \\n`", "726177205c783431205c6e"],
    ["`a\r\nb`", "610a62"],
  ];
  for (const [literal, hex] of table) {
    test(`${literal} is the bytes ${hex}`, () => {
      assert.equal(bytesOf(literal).join(""), hex);
    });
  }

  test("\\x bytes that spell UTF-8 are that character; others are kept apart from text", () => {
    assert.equal(unquoteGo('"\\xc3\\xa9"'), "é");
    assert.equal(unquoteGo('"\\xff"'), "\uDCFF");
    assert.equal(bytesToGoString([0xf0, 0x9f, 0x98, 0x80]), "😀");
    assert.equal(bytesToGoString([0xf0, 0x9f, 0x98]), "\uDCF0\uDC9F\uDC98");
    // a real character outside the BMP stays itself when written
    assert.equal(goStringBytes("😀\uDCFF").toString("hex"), "f09f9880ff");
  });

  test("invalid escapes are refused, as strconv.Unquote refuses them", () => {
    for (const bad of [
      '"\\q"',
      '"\\x4"',
      '"\\xzz"',
      '"\\u00e"',
      '"\\U00110000"',
      '"\\ud800"',
      '"\\400"',
      '"\\12"',
      '"\\\'"',
    ]) {
      assert.throws(
        () => unquoteGo(bad),
        (e: Error & { code?: string }) => e.code === "GO_STRING_INVALID",
        bad,
      );
    }
  });

  test("HCL keeps ${ } as written and reads a \\u surrogate half as U+FFFD", () => {
    assert.equal(unquoteGo('"${a(\\"b\\")}\\n"', { hcl: true }), '${a(\\"b\\")}\n');
    assert.equal(unquoteGo('"\\ud800"', { hcl: true }), "\uFFFD");
    assert.equal(bytesOf('"\\xff${x}"', true).join(""), "ff247b787d");
  });

  test("rune constants are code points; \\x and octal give the byte's value", () => {
    assert.equal(unquoteGoRune("'a'"), 97);
    assert.equal(unquoteGoRune("'é'"), 0xe9);
    assert.equal(unquoteGoRune("'\\x41'"), 0x41);
    assert.equal(unquoteGoRune("'\\377'"), 255);
    assert.equal(unquoteGoRune("'\\''"), 39);
    assert.equal(unquoteGoRune("'\\U0001F600'"), 0x1f600);
    for (const bad of ["'ab'", "''", "'\\\"'"]) assert.throws(() => unquoteGoRune(bad), bad);
  });
});
