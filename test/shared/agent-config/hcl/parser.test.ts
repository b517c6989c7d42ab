import assert from "node:assert/strict";
import { test } from "node:test";
import { AgentConfigError } from "../../../../shared/agent-config/index.ts";
import { parseHcl } from "../../../../shared/agent-config/hcl.ts";
import { MAX_HCL_NESTING, parse } from "../../../../shared/agent-config/hcl/parser.ts";

const value = (text: string) => parseHcl(text, "a.hcl").value;

function problems(text: string): string[] {
  try {
    parseHcl(text, "a.hcl");
  } catch (err) {
    assert.ok(err instanceof AgentConfigError, String(err));
    return err.problems;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be refused`);
}

test("settings, maps, lists, quoted keys; items separated by newlines, commas or nothing", () => {
  assert.deepEqual(
    value(
      'a = "x"\nb = 1, c = true d = 1.5\n"quoted key" = [1, "two", [3], { k = "v" },]\n' +
        "m = { x = 1\n y = { z = [] } }\nempty = {}\n",
    ),
    {
      a: "x",
      b: 1,
      c: true,
      d: 1.5,
      "quoted key": [1, "two", [3], { k: "v" }],
      m: { x: 1, y: { z: [] } },
      empty: {},
    },
  );
});

test("the two forms Vault accepts and HCL 2 refuses: one-line nested blocks, two settings on a line", () => {
  assert.deepEqual(value('auto_auth { method "jwt" { config = { role = "x" } } }'), {
    auto_auth: [{ method: { jwt: [{ config: { role: "x" } }] } }],
  });
  assert.deepEqual(value('template { destination = "/a" contents = "x" }'), {
    template: [{ destination: "/a", contents: "x" }],
  });
});

test("lists: a trailing comma and extra commas are accepted, a nested list needs no comma after it", () => {
  assert.deepEqual(value("a = [,1,,2,]\nb = [[1] [2] 3]\nc = []\n"), {
    a: [1, 2],
    b: [[1], [2], 3],
    c: [],
  });
});

test("heredoc values in settings and lists", () => {
  assert.deepEqual(value("a = <<EOF\nline\nEOF\nb = [<<-X\n  y\n  X\n]\n"), {
    a: "line\n",
    b: ["y\n"],
  });
});

test("items keep the order they are written in", () => {
  assert.deepEqual(Object.keys(value("z = 1\na = 2\nm { }\nb = 3\n")), ["z", "a", "m", "b"]);
});

test("a key named __proto__ is an entry, not the prototype", () => {
  const v = value("__proto__ = { polluted = true }\nx { __proto__ = 1 }\n");
  assert.deepEqual(Object.keys(v), ["__proto__", "x"]);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(v, "__proto__")?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
});

test("syntax errors: one line, source:line:column, what was expected and what was found", () => {
  assert.deepEqual(problems("pid_file =\n"), [
    'a.hcl:2:1: expected a value after "pid_file" =, found the end of the file',
  ]);
  assert.deepEqual(problems("a = }\n"), ['a.hcl:1:5: expected a value after "a" =, found "}"']);
  assert.deepEqual(problems("a = name\n"), [
    'a.hcl:1:5: expected a value after "a" =, found name name',
  ]);
  assert.deepEqual(problems('destination "/a"\n'), [
    'a.hcl:2:1: expected "=" or "{" after key "destination" "/a", found the end of the file',
  ]);
  assert.deepEqual(problems("vault 5\n"), [
    'a.hcl:1:7: expected "=" or "{" after key "vault", found number',
  ]);
  assert.deepEqual(problems('sink "file" = 1\n'), [
    'a.hcl:1:13: only a block can have labels: write "sink" "file" { ... }, or one key before "="',
  ]);
  assert.deepEqual(problems("= 1\n"), ['a.hcl:1:1: expected a key, found "="']);
  assert.deepEqual(problems("a = 1,,\n"), ['a.hcl:1:7: expected a key, found ","']);
  assert.deepEqual(problems("x { }\n}\n"), ['a.hcl:2:1: expected a key, found "}"']);
  assert.deepEqual(problems('vault {\n  address = "x"\n'), [
    'a.hcl:3:1: expected "}" to close the "{" of line 1, found the end of the file',
  ]);
  assert.deepEqual(problems("a = [1, 2\n"), [
    'a.hcl:2:1: expected "]" to close the "[" of line 1, found the end of the file',
  ]);
  assert.deepEqual(problems('a = [1 "x"]\n'), [
    'a.hcl:1:8: expected "," or "]" after a list element, found string',
  ]);
  assert.deepEqual(problems("a = [x]\n"), ["a.hcl:1:6: expected a list element, found name x"]);
  assert.deepEqual(problems("a = 08\n"), [
    "a.hcl:1:5: 08 is not a valid octal number (a leading 0 means octal: digits 0-7)",
  ]);
  assert.deepEqual(problems('a = "\\U00110000"\n'), [
    "a.hcl:1:5: escape \\U00110000 is beyond Unicode",
  ]);
  assert.deepEqual(problems('"\\q" = 1\n'), [
    'a.hcl:1:2: invalid escape "\\\\q" in string (valid: \\n \\t \\r \\" \\\\ \\uXXXX \\UXXXXXXXX \\xXX \\NNN \\a \\b \\f \\v)',
  ]);
});

test("a setting given twice in one body: every repeat, with the first line; parsing goes on", () => {
  assert.deepEqual(problems('a = 1\nb { c = 1\n c = 2 }\na = { }\n"b" = 3\n'), [
    'a.hcl:3:2: "c" is already set at line 2; set it once',
    'a.hcl:4:1: "a" is already set at line 1; set it once',
    'a.hcl:5:1: "b" is a setting (line 5) and a block (line 2); use one form',
  ]);
  // the same name in different bodies is fine
  assert.deepEqual(value("a = 1\nb { a = 2 }\nb { a = 3 }\n"), { a: 1, b: [{ a: 2 }, { a: 3 }] });
});

test(`nesting deeper than ${MAX_HCL_NESTING} is refused without recursing further`, () => {
  const deep = (n: number) => "a = " + "[".repeat(n) + "]".repeat(n);
  assert.doesNotThrow(() => parse(deep(MAX_HCL_NESTING)));
  assert.deepEqual(problems(deep(MAX_HCL_NESTING + 1)), [
    `a.hcl:1:${5 + MAX_HCL_NESTING}: nested more than ${MAX_HCL_NESTING} levels deep`,
  ]);
  assert.deepEqual(problems("x {\n".repeat(50_000)), [
    `a.hcl:${MAX_HCL_NESTING + 1}:3: nested more than ${MAX_HCL_NESTING} levels deep`,
  ]);
});

test("the syntax tree records each key's line and the source text of literals", () => {
  const { items } = parse('a = 0640\nb "l" {\n  c = "x"\n}\n');
  assert.deepEqual(
    items.map((i) => [i.keys.map((k) => `${k.name}@${k.line}:${k.column}`), i.assign]),
    [
      [["a@1:1"], true],
      [["b@2:1", "l@2:3"], false],
    ],
  );
  assert.deepEqual(items[0]!.value, { kind: "literal", value: 0o640, text: "0640", line: 1 });
});
