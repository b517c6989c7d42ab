import { test } from "node:test";
import assert from "node:assert/strict";
import * as m from "../../../../agent/template/functions/math.ts";
import { Float64 } from "../../../../agent/template/functions/values.ts";
import { render, renderError } from "../go/render-helpers.ts";

test("arguments come in pipe order: the first is the right operand", () => {
  assert.equal(
    render("{{ 10 | subtract 3 }} {{ subtract 3 10 }} {{ 10 | divide 4 }} {{ 10 | modulo 4 }}"),
    "7 7 2 2",
  );
  assert.equal(
    render("{{ add 1 2 }} {{ multiply 3 4 }} {{ minimum 3 4 }} {{ maximum 3 4 }}"),
    "3 12 3 4",
  );
});

test("a float operand makes a float", () => {
  assert.equal(render("{{ add 1.5 2 }} {{ 10 | divide 4.0 }} {{ multiply 2.0 3 }}"), "3.5 2.5 6");
  assert.deepEqual(m.add(1, new Float64(1)), new Float64(2));
});

test("64-bit integer arithmetic", () => {
  assert.equal(m.multiply(4294967296, 4294967296), 0);
  assert.equal(m.add(1, 9007199254740992n), 9007199254740993n);
});

test("errors", () => {
  assert.match(
    renderError("{{ 1 | divide 0 }}").message,
    /error calling divide: runtime error: integer divide by zero/,
  );
  assert.match(
    renderError('{{ add 1 "2" }}').message,
    /error calling add: add: unknown type for value \(string\)/,
  );
  assert.match(renderError("{{ modulo 1.5 2 }}").message, /error calling modulo/);
  assert.match(
    renderError('{{ with secret "kv1/app" }}{{ add 1 .Data.port }}{{ end }}').message,
    /unknown type for value \(json\.Number\)/,
  );
});
