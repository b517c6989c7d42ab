import { test } from "node:test";
import assert from "node:assert/strict";
import * as p from "../../../../agent/template/functions/parse.ts";
import { Float64 } from "../../../../agent/template/functions/values.ts";
import { render, renderError } from "../go/render-helpers.ts";

test("parseBool accepts Go's spellings", () => {
  for (const t of ["1", "t", "T", "TRUE", "true", "True"]) assert.equal(p.parseBool(t), true);
  for (const f of ["0", "f", "F", "FALSE", "false", "False", ""])
    assert.equal(p.parseBool(f), false);
  assert.throws(() => p.parseBool("yes"), /parseBool: strconv.ParseBool: invalid syntax/);
});

test("parseInt and parseUint: base 10, 64-bit", () => {
  assert.equal(p.parseInt("-42"), -42);
  assert.equal(p.parseInt(""), 0);
  assert.equal(p.parseInt("9223372036854775807"), 9223372036854775807n);
  assert.throws(() => p.parseInt("9223372036854775808"), /value out of range/);
  assert.throws(() => p.parseInt("0x10"), /parseInt: strconv.ParseInt: invalid syntax/);
  assert.throws(() => p.parseUint("-1"), /parseUint: strconv.ParseUint: invalid syntax/);
  assert.equal(render('{{ parseInt "7" | add 1 }} {{ parseInt "-3" | printf "%d" }}'), "8 -3");
});

test("parseFloat gives float64", () => {
  assert.deepEqual(p.parseFloat("1.5"), new Float64(1.5));
  assert.equal(
    render('{{ parseFloat "2" }} {{ parseFloat "1e6" }} {{ parseFloat "" }}'),
    "2 1e+06 0",
  );
  assert.throws(() => p.parseFloat("1.2.3"), /invalid syntax/);
});

test("parseFloat reads Go's float syntax: _ between digits, hex with a p exponent, inf and nan", () => {
  const value = (t: string) => p.parseFloat(t).value;
  assert.equal(value("1_000.5"), 1000.5);
  assert.equal(value("1e1_0"), 1e10);
  assert.equal(value("0x1p-2"), 0.25);
  assert.equal(value("0X1_0P+0"), 16);
  assert.equal(value("0x.8p1"), 1);
  assert.equal(value("-Infinity"), -Infinity);
  assert.ok(Number.isNaN(value("NaN")));
  for (const bad of ["1__0", "_1", "1_", "1_.5", "0x1", "+nan", "Infinity_", "0x_p1"])
    assert.throws(() => p.parseFloat(bad), /parseFloat: strconv.ParseFloat: invalid syntax/, bad);
  assert.throws(() => p.parseFloat("1e400"), /value out of range/);
});

test("parseJSON numbers are float64, as json.Unmarshal makes them", () => {
  assert.equal(
    render(
      '{{ $c := parseJSON "{\\"port\\":8080,\\"big\\":1000000,\\"l\\":[true,null]}" }}{{ $c.port }} {{ $c.big }} {{ $c.l }} {{ $c }}',
    ),
    "8080 1e+06 [true <nil>] map[big:1e+06 l:[true <nil>] port:8080]",
  );
  assert.equal(render('{{ parseJSON "" }}'), "map[]");
  assert.match(
    renderError('{{ parseJSON "{nope" }}').message,
    /error calling parseJSON: invalid JSON/,
  );
});

test("parseYAML", () => {
  assert.equal(render('{{ (parseYAML "a: 1\\nb: [x, 2.5]").b }}'), "[x 2.5]");
});
