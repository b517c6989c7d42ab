import { test } from "node:test";
import assert from "node:assert/strict";
import { clean, dir, ext } from "../../../../../agent/template/functions/sprig/paths.ts";
import { regexSplit } from "../../../../../agent/template/functions/sprig/regex.ts";
import { expand } from "../../../../../agent/template/functions/sprig/environment.ts";
import { nospace, substr, trunc } from "../../../../../agent/template/functions/sprig/strings.ts";
import { render, renderError } from "../../go/render-helpers.ts";

test("trunc and substr slice bytes and fail with Go's runtime errors", () => {
  assert.equal(trunc(2, "héllo"), "h\ufffd");
  assert.equal(substr(1, 3, "abcdef"), "bc");
  assert.throws(() => substr(3, 2, "abcd"), /slice bounds out of range \[3:2\]$/);
  assert.throws(() => substr(-1, 9, "abc"), /slice bounds out of range \[:9\] with length 3$/);
});

test("nospace reads bytes as runes when it removes anything, as goutils does", () => {
  assert.equal(nospace("a b"), "ab");
  assert.equal(nospace("é"), "é");
  assert.equal(nospace("é "), "\u00c3\u00a9");
});

test("path functions follow Go's path package", () => {
  const cases: Array<[string, string]> = [
    ["", "."],
    ["a//b/./../c/", "a/c"],
    ["/../x", "/x"],
    ["../../x", "../../x"],
    ["a/..", "."],
  ];
  for (const [p, want] of cases) assert.equal(clean(p), want, p);
  assert.equal(dir("a/../../b/"), "../b");
  assert.equal(ext("a.d/b"), "");
});

test("regexSplit follows Go's Regexp.Split, empty matches included", () => {
  assert.deepEqual(regexSplit("z+", "pizza", -1), ["pi", "a"]);
  assert.deepEqual(regexSplit("", "abc", -1), ["a", "b", "c"]);
  assert.deepEqual(regexSplit(",", "a,b,c", 2), ["a", "b,c"]);
  assert.deepEqual(regexSplit("x", "", -1), [""]);
});

test("expandenv follows os.ExpandEnv: $NAME, ${NAME}, bad ${ eaten, a lone $ kept", () => {
  const env: Record<string, string> = { A: "1", B_2: "two" };
  const get = (k: string) => env[k];
  assert.equal(expand("$A-${B_2}-$C", get), "1-two-");
  assert.equal(expand("$ $$ ${} ${ a$", get), "$    a$");
});

test("Sprig functions through the Go engine: argument order, int64 results, errors", () => {
  assert.equal(render('{{ "" | sprig_default "d" }} {{ sprig_add 1 "2" 2.9 }}'), "d 5");
  assert.equal(render('{{ printf "%T" (sprig_add 1) }}'), "int64");
  assert.match(
    renderError('{{ sprig_repeat (sprig_add 1) "x" }}').message,
    /wrong type for value; expected int; got int64/,
  );
  assert.match(renderError("{{ sprig_first 1 }}").message, /Cannot find first on type int$/);
  assert.equal(render("{{ range loop 2 4 }}{{ . }}{{ end }}"), "23");
  assert.match(renderError("{{ loop 2000000 }}").message, /loop: more than 1000000 values/);
});

test("a call that would build a huge value fails with the limit instead of exhausting memory", () => {
  for (const call of [
    'sprig_repeat 1000000000 "x"',
    'sprig_indent 100000000 "x"',
    "sprig_until 100000000",
    "sprig_untilStep 0 100000000 1",
    "sprig_seq 100000000",
    "sprig_randAlphaNum 100000000",
  ]) {
    const e = renderError(`{{ ${call} }}`);
    assert.match(
      e.message,
      /would (be longer than 16777216 characters|have more than 1000000 items)$/,
      call,
    );
  }
  assert.equal(render('{{ sprig_repeat 3 "ab" }} {{ sprig_until 3 }}'), "ababab [0 1 2]");
});

test("dates are formatted in UTC; another zone fails rather than print a wrong time", () => {
  assert.equal(render('{{ sprig_dateInZone "15:04 MST" 1700000000 "UTC" }}'), "22:13 UTC");
  assert.equal(render('{{ sprig_htmlDateInZone 0 "No/Such_Zone" }}'), "1970-01-01");
  assert.match(
    renderError('{{ sprig_dateInZone "15:04" 0 "Europe/Paris" }}').message,
    /dates are formatted in UTC only, not in "Europe\/Paris"$/,
  );
  assert.equal(render('{{ sprig_duration "3661" }} {{ sprig_duration 5 }}'), "1h1m1s 0s");
});
