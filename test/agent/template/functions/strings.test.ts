import { test } from "node:test";
import assert from "node:assert/strict";
import * as s from "../../../../agent/template/functions/strings.ts";
import { render, renderError } from "../go/render-helpers.ts";

test("join and split (split trims and yields [] for blank input)", () => {
  assert.equal(render('{{ split "," " a,b ,c \\n" | join "|" }}'), "a|b |c");
  assert.deepEqual(s.split(",", "   "), []);
  assert.deepEqual(s.split("", "héj"), ["h", "é", "j"]);
  assert.equal(render('{{ split "," "" }}'), "[]");
});

test("join wants []string, as in Go", () => {
  assert.match(
    renderError('{{ with secret "kv1/app" }}{{ join "," .Data.tags }}{{ end }}').message,
    /wrong type for value; expected \[\]string; got \[\]interface \{\}/,
  );
});

test("splitToMap", () => {
  assert.deepEqual(s.splitToMap(",", "=", "a=1,b=2,c,d=x=y"), { a: "1", b: "2", d: "x=y" });
});

test("trim family", () => {
  assert.equal(s.trimSpace("\u00a0\t x y \n\u2003"), "x y");
  assert.equal(s.trimSpace("\ufeffx"), "\ufeffx");
  assert.equal(s.trim("xy", "xyhixyx"), "hi");
  assert.equal(s.trimPrefix("ab", "abc"), "c");
  assert.equal(s.trimPrefix("zz", "abc"), "abc");
  assert.equal(s.trimSuffix("bc", "abc"), "a");
  assert.equal(
    render(
      '{{ "  x  " | trimSpace }}{{ trim "-" "--y--" }}{{ "v1.2" | trimPrefix "v" }}{{ "a.txt" | trimSuffix ".txt" }}',
    ),
    "xy1.2a",
  );
});

test("replaceAll, including Go's empty-old behaviour", () => {
  assert.equal(render('{{ "a-b-c" | replaceAll "-" "+" }}'), "a+b+c");
  assert.equal(s.replaceAll("", "-", "ab"), "-a-b-");
  assert.equal(s.replaceAll("", "-", ""), "-");
});

test("regexReplaceAll with Go's $ expansion and regexMatch", () => {
  assert.equal(
    render('{{ "user-42" | regexReplaceAll "([a-z]+)-(\\\\d+)" "${2}_$1" }}'),
    "42_user",
  );
  assert.equal(s.regexReplaceAll("(?P<w>o)", "[$w]", "foo"), "f[o][o]");
  assert.equal(s.regexReplaceAll("a(x*)", "$1W", "axxb"), "b");
  assert.equal(s.regexReplaceAll("a", "$$", "aa"), "$$");
  assert.equal(s.regexReplaceAll("(?i)A", "b", "aA"), "bb");
  assert.equal(
    render('{{ regexMatch "^v[0-9]+$" "v12" }} {{ regexMatch "^v[0-9]+$" "x" }}'),
    "true false",
  );
  assert.match(
    renderError('{{ regexMatch "(" "x" }}').message,
    /error calling regexMatch: error parsing regexp/,
  );
  assert.match(renderError('{{ regexMatch "(a)\\\\1" "aa" }}').message, /error parsing regexp/);
});

test("case helpers", () => {
  assert.equal(
    render('{{ "MiXed" | toLower }} {{ "MiXed" | toUpper }} {{ "hello wORLD-foo" | toTitle }}'),
    "mixed MIXED Hello WORLD-Foo",
  );
});

test("indent prefixes non-empty lines", () => {
  assert.equal(s.indent(2, "a\n\nb\n"), "  a\n\n  b\n");
  assert.equal(render('{{ "x\\ny" | indent 4 }}'), "    x\n    y");
  assert.match(
    renderError('{{ indent -1 "x" }}').message,
    /indent value must be a positive integer/,
  );
  assert.match(renderError('{{ indent "2" "x" }}').message, /expected integer; found "2"/);
});

test("contains, in and containsAll/Any/None/NotAll", () => {
  assert.equal(render('{{ "foobar" | contains "oba" }} {{ in "foobar" "zz" }}'), "true false");
  assert.equal(
    render(
      '{{ with secret "kv1/app" }}{{ .Data.tags | contains "green" }} {{ in .Data.tags "red" }}{{ end }}',
    ),
    "true false",
  );
  assert.equal(s.inList([1, 2], 2), true);
  assert.equal(s.inList([1, 2], "2"), false);
  const all = s.containsSome(true, true);
  const any = s.containsSome(false, false);
  const none = s.containsSome(true, false);
  const notAll = s.containsSome(false, true);
  assert.deepEqual([all(["a", "b"], ["a", "b", "c"]), all(["a", "z"], ["a"])], [true, false]);
  assert.deepEqual([any(["z", "b"], ["b"]), any(["z"], ["b"])], [true, false]);
  assert.deepEqual([none(["z"], ["b"]), none(["b"], ["b"])], [true, false]);
  assert.deepEqual([notAll(["a", "z"], ["a"]), notAll(["a"], ["a"])], [true, false]);
  assert.equal(
    render('{{ with secret "kv1/app" }}{{ containsAll .Data.tags .Data.tags }}{{ end }}'),
    "true",
  );
});
