import { test } from "node:test";
import assert from "node:assert/strict";
import { toYAML } from "../../../../agent/template/functions/yaml.ts";
import { Float64, JsonNumber } from "../../../../agent/template/functions/values.ts";
import { render } from "../go/render-helpers.ts";

const n = (s: string) => new JsonNumber(s);

// Expected texts are what `bao agent` (consul-template, yaml.v2) wrote for the same data.
test("toYAML quoting: YAML 1.1 look-alikes double-quoted, unsafe plain single-quoted, multi-line literal", () => {
  const data = {
    yes: "yes",
    on: "on",
    y: "n",
    truth: "true",
    nothing: "",
    tilde: "~",
    null_text: "null",
    version: "1.0",
    octal: "0755",
    colon: "key: value",
    dash: "- item",
    hash: "# not a comment",
    multiline: "first\nsecond\n",
    spaces: "  padded  ",
    quote: 'it\'s "quoted"',
    unicode: "ünïcödé",
  };
  assert.equal(
    toYAML(data),
    `colon: 'key: value'\ndash: '- item'\nhash: '# not a comment'\nmultiline: |\n  first\n  second\nnothing: ""\nnull_text: "null"\noctal: "0755"\n"on": "on"\nquote: it's "quoted"\nspaces: '  padded  '\ntilde: "~"\ntruth: "true"\nunicode: ünïcödé\nversion: "1.0"\n"y": "n"\n"yes": "yes"`,
  );
});

test("toYAML numbers: json.Number as int when it is one, else float; nesting and empties", () => {
  const data = {
    big: n("12345678901234567890"),
    dec: n("10.50"),
    exp: n("1e3"),
    empty_list: [],
    empty_map: {},
    int: n("42"),
    list: [n("1"), "a", { x: n("1") }, [n("2"), n("3")]],
    map: { a: "x", inner: { y: {}, z: [] } },
    n: null,
    neg: n("-0.5"),
    f: new Float64(1e6),
  };
  assert.equal(
    toYAML(data),
    `big: 1.2345678901234567e+19\ndec: 10.5\nempty_list: []\nempty_map: {}\nexp: 1000\nf: 1e+06\nint: 42\nlist:\n- 1\n- a\n- x: 1\n- - 2\n  - 3\nmap:\n  a: x\n  inner:\n    "y": {}\n    z: []\n"n": null\nneg: -0.5`,
  );
});

test("toYAML: dates quoted, long plain strings folded after column 80, top-level values", () => {
  assert.equal(
    toYAML({ t: "2024-05-01T10:00:00.123456789Z" }),
    't: "2024-05-01T10:00:00.123456789Z"',
  );
  const words = Array.from({ length: 30 }, () => "word").join(" ");
  const folded = toYAML({ long: words }).split("\n");
  assert.equal(folded.length, 2);
  assert.equal(folded[0]!.length, 85);
  assert.ok(folded[1]!.startsWith("  word"));
  assert.equal(toYAML("a\nb"), "|-\n  a\n  b");
  assert.equal(toYAML(["x", "y"]), '- x\n- "y"');
  assert.equal(toYAML({}), "{}");
});

test("toYAML in a template", () => {
  assert.equal(
    render('{{ with secret "secret/data/app" }}{{ .Data | toYAML }}{{ end }}'),
    'data:\n  password: s3cr3t!\n  username: app\nmetadata:\n  created_time: "2024-05-01T10:00:00.123456789Z"\n  custom_metadata: null\n  deletion_time: ""\n  destroyed: false\n  version: 3',
  );
});
