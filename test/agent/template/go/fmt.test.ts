import { test } from "node:test";
import assert from "node:assert/strict";
import { formatV, sprint, sprintf, sprintln } from "../../../../agent/template/go/fmt.ts";
import { Float64, JsonNumber, stringSlice } from "../../../../agent/template/functions/values.ts";
import { render } from "./render-helpers.ts";

test("%v of Go values", () => {
  assert.equal(
    formatV({ b: 1, a: [1, "x", null], c: { d: true } }),
    "map[a:[1 x <nil>] b:1 c:map[d:true]]",
  );
  assert.equal(formatV(new Float64(1e6)), "1e+06");
  assert.equal(formatV(new Float64(1234567)), "1.234567e+06");
  assert.equal(formatV(new Float64(123456)), "123456");
  assert.equal(formatV(new Float64(0.000123)), "0.000123");
  assert.equal(formatV(new Float64(-2.5e-7)), "-2.5e-07");
  assert.equal(formatV(new JsonNumber("10.50")), "10.50");
  assert.equal(formatV(null), "<nil>");
  assert.equal(formatV({}), "map[]");
  assert.equal(formatV([]), "[]");
});

test("Sprint spacing: only between two non-strings", () => {
  assert.equal(sprint([1, 2, "a", 3, "b", "c"]), "1 2a3bc");
  assert.equal(sprintln(["a", 1]), "a 1\n");
});

const printfCases: Array<[string, unknown[], string]> = [
  ["%d|%5d|%-5d|%05d|%+d|% d", [42, 42, 42, -42, 5, 5], "42|   42|42   |-0042|+5| 5"],
  ["%x|%X|%o|%b|%#x|%c|%U", [255, 255, 8, 5, 255, 65, 0x1f600], "ff|FF|10|101|0xff|A|U+1F600"],
  [
    "%s|%10s|%-4s|%.2s|%q|%x",
    ["hi", "hi", "ab", "abc", 'a"b\n', "hi"],
    'hi|        hi|ab  |ab|"a\\"b\\n"|6869',
  ],
  [
    "%f|%.2f|%8.3f|%e|%E|%g|%.3g",
    [3.5, 3.14159, 2.5, 1234.5678, 0.5, 0.00001, 3.14159],
    "3.500000|3.14|   2.500|1.234568e+03|5.000000E-01|1e-05|3.14",
  ],
  ["%t|%v|%v|%v", [true, false, null, [1, 2]], "true|false|<nil>|[1 2]"],
  ["%%|%d%%", [50], "%|50%"],
  ["%d", ["x"], "%!d(string=x)"],
  ["%s", [5], "%!s(int=5)"],
  ["%f", [5], "%!f(int=5)"],
  ["%s %s", ["a"], "a %!s(MISSING)"],
  ["%s", ["a", "b", 1], "a%!(EXTRA string=b, int=1)"],
  ["%s", [null], "%!s(<nil>)"],
  ["%d", [new JsonNumber("5432")], "%!d(json.Number=5432)"],
  ["%s|%v", [new JsonNumber("5432"), new JsonNumber("1e3")], "5432|1e3"],
  [
    "%T|%T|%T|%T|%T",
    ["", 1, new Float64(1), new JsonNumber("1"), stringSlice(["a"])],
    "string|int|float64|json.Number|[]string",
  ],
  ["%d", [[1, 2]], "[1 2]"],
  ["%s", [{ a: "x" }], "map[a:x]"],
  ["%q", [65], "'A'"],
  ["%v", [new Float64(100)], "100"],
  ["%5.1f%%", [99.44], " 99.4%"],
];

for (const [format, args, want] of printfCases) {
  test(`Sprintf ${JSON.stringify(format)}`, () => assert.equal(sprintf(format, args), want));
}

test("printf in templates uses Go's literal types", () => {
  assert.equal(render('{{ printf "%d %v %T %T" 3 2.0 3 2.0 }}'), "3 2 int float64");
  assert.equal(render('{{ printf "%s=%q" "k" "v" }}'), 'k="v"');
  assert.equal(render('{{ printf "%v" (secret "database/creds/app").Renewable }}'), "true");
});
