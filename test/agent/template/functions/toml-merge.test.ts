import { test } from "node:test";
import assert from "node:assert/strict";
import { toTOML } from "../../../../agent/template/functions/toml.ts";
import { mergeMaps } from "../../../../agent/template/functions/merge.ts";
import { JsonNumber } from "../../../../agent/template/functions/values.ts";
import { render, renderError } from "../go/render-helpers.ts";

const n = (s: string) => new JsonNumber(s);

// Expected texts are what `bao agent` (consul-template) rendered for the same data.
test("toTOML: plain keys, then tables; nil left out; json.Number ints stay ints", () => {
  const data = {
    s: "hello world",
    n: n("42"),
    f: n("1.5"),
    big: n("1000000"),
    t: true,
    list: ["a", "b"],
    m: { k: "v", n: null },
    html: "<a&b>",
    multi: "a\nb",
    uni: "héllo",
    "sp ace": n("1"),
  };
  assert.equal(
    toTOML(data),
    'big = 1000000\nf = 1.5\nhtml = "<a&b>"\nlist = ["a", "b"]\nmulti = "a\\nb"\nn = 42\ns = "hello world"\n"sp ace" = 1\nt = true\nuni = "héllo"\n\n[m]\n  k = "v"',
  );
});

test("toTOML: nested tables, arrays of tables, floats with a decimal point", () => {
  assert.equal(
    render(
      '{{ parseJSON "{\\"a\\":1,\\"b\\":[1,2],\\"c\\":{\\"d\\":\\"x\\",\\"e\\":{\\"f\\":true}},\\"g\\":[{\\"h\\":1},{\\"h\\":2}],\\"s p\\":\\"q\\\\\\"t\\",\\"z\\":1.5,\\"big\\":1000000,\\"emp\\":[],\\"em\\":{}}" | toTOML }}',
    ),
    'a = 1.0\nb = [1.0, 2.0]\nbig = 1000000.0\nemp = []\n"s p" = "q\\"t"\nz = 1.5\n\n[c]\n  d = "x"\n  [c.e]\n    f = true\n\n[em]\n\n[[g]]\n  h = 1.0\n\n[[g]]\n  h = 2.0',
  );
  assert.match(
    renderError('{{ toTOML "x" }}').message,
    /error calling toTOML: toTOML: toml: top-level values must be Go maps or structs/,
  );
});

test("mergeMap fills missing keys deeply; mergeMapWithOverride lets the second map win", () => {
  assert.equal(
    render(
      '{{ $a := parseJSON "{\\"x\\":1,\\"n\\":{\\"a\\":1}}" }}{{ $b := parseJSON "{\\"x\\":2,\\"y\\":3,\\"n\\":{\\"a\\":9,\\"b\\":2}}" }}{{ mergeMap $a $b }} {{ mergeMapWithOverride $a $b }} {{ $a }}',
    ),
    "map[n:map[a:1 b:2] x:1 y:3] map[n:map[a:9 b:2] x:2 y:3] map[n:map[a:1] x:1]",
  );
  assert.deepEqual(mergeMaps({ a: "" }, { a: "filled" }, false), { a: "filled" });
});

test("parseYAML reads YAML 1.1 as yaml.v2 does", () => {
  assert.equal(
    render('{{ parseYAML "a: 1\\nb: [x, 2.5]\\nc: {d: yes}\\n" }}'),
    "map[a:1 b:[x 2.5] c:map[d:true]]",
  );
});
