import { test } from "node:test";
import assert from "node:assert/strict";
import { lex } from "../../../../agent/template/go/lexer.ts";
import { render, renderError } from "./render-helpers.ts";

const kinds = (text: string, l?: string, r?: string): string[] =>
  lex(text, l, r).map((t) => `${t.type}:${t.value}`);

test("text and actions are split, spaces inside actions kept as tokens", () => {
  assert.deepEqual(kinds("a{{ .B }}c"), [
    "text:a",
    "left:{{",
    "space: ",
    "field:.B",
    "space: ",
    "right:}}",
    "text:c",
    "eof:",
  ]);
});

test("tokens inside actions", () => {
  assert.deepEqual(
    kinds(`{{$x := index . "k" 1.5 'a' true nil | printf "%s" (len $)}}`).filter(
      (k) => !k.startsWith("space"),
    ),
    [
      "left:{{",
      "variable:$x",
      "declare::=",
      "identifier:index",
      "dot:.",
      'string:"k"',
      "number:1.5",
      "charConstant:'a'",
      "bool:true",
      "nil:nil",
      "pipe:|",
      "identifier:printf",
      'string:"%s"',
      "leftParen:(",
      "identifier:len",
      "variable:$",
      "rightParen:)",
      "right:}}",
      "eof:",
    ],
  );
});

test("trim markers remove all spaces, tabs and newlines on their side only", () => {
  assert.equal(render("a \t\n {{- 1 -}} \r\n b"), "a1b");
  assert.equal(render("a {{ 1 }} b"), "a 1 b");
  assert.equal(render("a  {{- 1 }}  b"), "a1  b");
  assert.equal(render("a  {{ 1 -}}  b"), "a  1b");
  assert.equal(render("x\n{{- if true }}\n  y\n{{- end }}\n"), "x\n  y\n");
});

test("a minus without a following space is a negative number, not a trim marker", () => {
  assert.equal(render("x {{-3}}"), "x -3");
  assert.equal(render("x {{- 3}}"), "x3");
  assert.equal(render("{{3 -}} x"), "3x");
});

test("several spaces before the closing trim marker", () => {
  assert.equal(render("{{ 1   -}}  y"), "1y");
});

test("comments vanish, with or without trim markers", () => {
  assert.equal(render("a{{/* note */}}b"), "ab");
  assert.equal(render("a {{- /* multi\nline */ -}} b"), "ab");
  assert.equal(render("a {{/* c */ -}} b"), "a b");
});

test("comment errors", () => {
  assert.match(renderError("{{/* open").message, /unclosed comment/);
  assert.match(renderError("{{/* c */ x}}").message, /comment ends before closing delimiter/);
  assert.match(renderError("{{ /* c */ }}").message, /unexpected "\/" in command/);
});

test("custom delimiters, including trim markers", () => {
  assert.equal(
    render("[[ 1 ]] {{ 2 }}", { leftDelimiter: "[[", rightDelimiter: "]]" }),
    "1 {{ 2 }}",
  );
  assert.equal(render("a [[- 1 -]] b", { leftDelimiter: "[[", rightDelimiter: "]]" }), "a1b");
  assert.equal(render("<% 1 %>", { leftDelimiter: "<%", rightDelimiter: "%>" }), "1");
});

test("newlines are allowed inside actions", () => {
  assert.equal(render('{{ printf\n  "%d-%d"\n  1\n  2 }}'), "1-2");
});

test("lexical errors name the problem and position", () => {
  const e = renderError("line1\n  {{ 1 ");
  assert.equal(e.code, "TEMPLATE_PARSE");
  assert.match(e.message, /^template: t:2:\d+: unclosed action$/);
  assert.match(renderError('{{ "abc }}').message, /unterminated quoted string/);
  assert.match(renderError("{{ `abc }}").message, /unterminated raw quoted string/);
  assert.match(renderError("{{ 3x }}").message, /bad number syntax: "3x"/);
  assert.match(renderError("{{ (1 }}").message, /unclosed left paren/);
  assert.match(renderError("{{ 1) }}").message, /unexpected right paren/);
  assert.match(renderError("{{ a: }}").message, /expected :=/);
});

test("string escapes and raw strings", () => {
  assert.equal(render('{{ "a\\tb\\n\\u00e9\\x41\\101\\"" }}'), "a\tb\né" + "AA" + '"');
  assert.equal(render("{{ `raw\\n` }}"), "raw\\n");
  assert.equal(
    render("{{ 'a' }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }}"),
    "97 31 15 5 1000",
  );
});

test("a newline or tab before the closing trim marker still marks it, as in Go", () => {
  assert.equal(render('a {{ "x"\n-}}  b'), "a xb");
  assert.equal(render('a {{ "x"\t-}}\tb'), "a xb");
});

test("an action of only spaces before a trim marker is an error, not an endless loop", () => {
  assert.throws(() => render("{{ \n-}}"), /missing value for command/);
});
