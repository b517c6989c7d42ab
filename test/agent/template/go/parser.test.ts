import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "../../../../agent/template/go/parser.ts";
import { nodeString } from "../../../../agent/template/go/ast.ts";
import { renderError } from "./render-helpers.ts";

const functions = new Set(["printf", "secret", "index", "toJSON", "eq"]);

test("pipelines, declarations and chains become a typed tree", () => {
  const { root } = parse('{{ $v := (secret "p").Data.x | printf "%s" }}', { functions });
  const action = root.nodes[0]!;
  assert.equal(action.type, "action");
  if (action.type !== "action") return;
  assert.deepEqual(
    action.pipe.decl.map((d) => d.ident),
    [["$v"]],
  );
  assert.equal(action.pipe.isAssign, false);
  assert.equal(action.pipe.cmds.length, 2);
  const chain = action.pipe.cmds[0]!.args[0]!;
  assert.equal(chain.type, "chain");
  if (chain.type === "chain") assert.deepEqual(chain.field, ["Data", "x"]);
  assert.equal(nodeString(action.pipe), '$v := (secret "p").Data.x | printf "%s"');
});

test("variables with fields and fields chains merge", () => {
  const { root } = parse("{{ $x := . }}{{ $x.A.B }}{{ .C.D }}", { functions });
  const [, a, b] = root.nodes;
  assert.ok(a?.type === "action" && b?.type === "action");
  if (a.type === "action" && b.type === "action") {
    assert.deepEqual((a.pipe.cmds[0]!.args[0] as { ident: string[] }).ident, ["$x", "A", "B"]);
    assert.deepEqual((b.pipe.cmds[0]!.args[0] as { ident: string[] }).ident, ["C", "D"]);
  }
});

test("else if and else with nest as Go nests them", () => {
  const { root } = parse("{{ if 1 }}a{{ else if 2 }}b{{ else }}c{{ end }}", { functions });
  const n = root.nodes[0]!;
  assert.equal(n.type, "if");
  if (n.type === "if") {
    const inner = n.elseList!.nodes[0]!;
    assert.equal(inner.type, "if");
    if (inner.type === "if") assert.equal(inner.elseList!.nodes.length, 1);
  }
  const w = parse("{{ with 1 }}a{{ else with 2 }}b{{ end }}", { functions }).root.nodes[0]!;
  assert.equal(w.type === "with" && w.elseList!.nodes[0]!.type, "with");
});

test("define and block register named templates", () => {
  const { defines, root } = parse('{{ define "a" }}A{{ end }}x{{ block "b" . }}B{{ end }}', {
    functions,
  });
  assert.deepEqual([...defines.keys()], ["a", "b"]);
  assert.equal(root.nodes.map((n) => n.type).join(","), "text,template");
});

test("range with one and two variables", () => {
  const { root } = parse(
    "{{ range $i, $v := . }}{{ $i }}{{ $v }}{{ end }}{{ range $e := . }}{{ end }}",
    { functions },
  );
  const r = root.nodes[0]!;
  assert.ok(r.type === "range" && r.pipe.decl.length === 2);
});

test("parse errors: Go's wording, template name, line and column", () => {
  const cases: Array<[string, RegExp]> = [
    ["{{ if 1 }}x", /^template: t:1:\d+: unexpected EOF$/],
    ["{{ end }}", /unexpected \{\{end\}\}/],
    ["{{ else }}", /unexpected \{\{else\}\}/],
    ["{{ if }}{{ end }}", /missing value for if/],
    ["{{ nope 1 }}", /function "nope" not defined/],
    ["{{ $x }}", /undefined variable "\$x"/],
    ["{{ $x = 1 }}", /undefined variable "\$x"/],
    ["{{ break }}", /\{\{break\}\} outside \{\{range\}\}/],
    ["{{ range . }}{{ continue 1 }}{{ end }}", /unexpected "1" in \{\{continue\}\}/],
    ["{{ 1 | 2 }}", /non executable command in pipeline stage 2/],
    ["{{ $a, $b := 1 }}", /too many declarations in command/],
    ["{{ template x }}", /unexpected "x" in template clause/],
    ['{{ "a".B }}', /unexpected \. after term "\\"a\\""/],
    ["{{ if 1 }}{{ else }}{{ else }}{{ end }}", /expected end; found \{\{else\}\}/],
    ['{{ define "x" }}', /unexpected EOF/],
  ];
  for (const [text, re] of cases) {
    const e = renderError(text);
    assert.equal(e.code, "TEMPLATE_PARSE", text);
    assert.match(e.message, re, text);
  }
});

test("variables go out of scope at end", () => {
  assert.match(
    renderError("{{ if 1 }}{{ $x := 1 }}{{ end }}{{ $x }}").message,
    /undefined variable "\$x"/,
  );
  assert.match(
    renderError('{{ $y := 1 }}{{ define "d" }}{{ $y }}{{ end }}').message,
    /undefined variable "\$y"/,
  );
});

test("parse error positions count lines and bytes", () => {
  const e = renderError("a\nbé {{ nope }}") as unknown as {
    line: number;
    column: number;
    message: string;
  };
  assert.equal(e.line, 2);
  assert.equal(e.column, 7);
  assert.equal(e.message, 'template: t:2:7: function "nope" not defined');
});
