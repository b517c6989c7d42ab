import assert from "node:assert/strict";
import { test } from "node:test";
import {
  floatValue,
  heredocValue,
  integerValue,
  unquote,
} from "../../../../shared/agent-config/hcl/values.ts";

test("quoted strings: Go escapes decoded, ${ } kept exactly as written", () => {
  assert.equal(unquote('"plain"'), "plain");
  assert.equal(unquote('"\\n\\t\\r\\"\\\\\\a\\b\\f\\v"'), '\n\t\r"\\\x07\b\f\v');
  assert.equal(unquote('"\\u00e9\\U0001F600\\x41\\101"'), "é😀AA");
  assert.equal(unquote('"${lookup(\\"a\\", "b")} and ${x}"'), '${lookup(\\"a\\", "b")} and ${x}');
  assert.equal(unquote('"$${x} $5 {}"'), "$${x} $5 {}");
  // \x and octal escapes are bytes: valid UTF-8 together, else each byte as
  // its surrogate escape (U+DC00 + byte), written back as that byte
  assert.equal(unquote('"\\xc3\\xa9 \\303\\251"'), "é é");
  assert.equal(unquote('"\\xff\\xc3"'), "\uDCFF\uDCC3");
  // a lone surrogate is not a character: U+FFFD, as Go writes it
  assert.equal(unquote('"\\ud800"'), "\uFFFD");
});

test("quoted strings: escapes beyond Unicode or a byte are refused", () => {
  assert.throws(() => unquote('"\\U00110000"'), /escape \\U00110000 is beyond Unicode/);
  assert.throws(() => unquote('"\\400"'), /octal escape \\400 is above \\377/);
});

test("heredocs: plain ones keep every line; <<- removes the closing marker's indentation", () => {
  assert.equal(heredocValue("<<EOF\n  a\n    b\nEOF\n"), "  a\n    b\n");
  assert.equal(heredocValue("<<EOF\nEOF\n"), "");
  // the closing marker's own indentation stays in a plain heredoc, as in Vault
  assert.equal(heredocValue("<<EOF\na\n  EOF\n"), "a\n  ");
  assert.equal(heredocValue("<<-EOF\n    a\n      b\n    EOF\n"), "a\n  b\n");
  // not the lines' common indentation (4) but the marker's (2)
  assert.equal(heredocValue("<<-EOT\n    a\n    b\n  EOT\n"), "  a\n  b\n");
  // a line indented less than the marker: kept as written
  assert.equal(heredocValue("<<-EOT\n    a\nb\n  EOT\n"), "    a\nb\n");
});

test("integers: decimal, octal after a leading 0, hexadecimal, 64-bit range", () => {
  assert.equal(integerValue("42"), 42);
  assert.equal(integerValue("0"), 0);
  assert.equal(integerValue("0640"), 0o640);
  assert.equal(integerValue("-017"), -15);
  assert.equal(integerValue("0x1F"), 31);
  assert.equal(integerValue("-0X10"), -16);
  assert.equal(integerValue("9223372036854775807"), Number(2n ** 63n - 1n));
  assert.throws(
    () => integerValue("08"),
    /08 is not a valid octal number \(a leading 0 means octal: digits 0-7\)/,
  );
  assert.throws(() => integerValue("9223372036854775808"), /out of range for a 64-bit integer/);
});

test("floats: fraction, exponent, range", () => {
  assert.equal(floatValue("1.5"), 1.5);
  assert.equal(floatValue("-2.5e3"), -2500);
  assert.equal(floatValue(".5"), 0.5);
  assert.equal(floatValue("1."), 1);
  assert.equal(floatValue("1e-400"), 0);
  assert.throws(() => floatValue("1e309"), /1e309 is out of range for a number/);
});
