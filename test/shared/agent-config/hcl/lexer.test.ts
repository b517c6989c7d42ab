import assert from "node:assert/strict";
import { test } from "node:test";
import { HclSyntaxError, Lexer } from "../../../../shared/agent-config/hcl/lexer.ts";

function tokens(text: string): string[] {
  const lexer = new Lexer(text);
  const out: string[] = [];
  for (;;) {
    const t = lexer.next();
    out.push(`${t.line}:${t.column} ${t.type} ${t.text}`);
    if (t.type === "eof") return out;
  }
}

function lexError(text: string): string {
  try {
    tokens(text);
  } catch (err) {
    assert.ok(err instanceof HclSyntaxError);
    return `${err.line}:${err.column}: ${err.message}`;
  }
  assert.fail(`expected a syntax error for ${JSON.stringify(text)}`);
}

test("names, punctuation, booleans and positions; comments and whitespace are skipped", () => {
  assert.deepEqual(tokens("# one\nkey.x-y_1 = true // two\n/* three\n */ b { c = false, }\n"), [
    "2:1 name key.x-y_1",
    "2:11 = =",
    "2:13 bool true",
    "4:5 name b",
    "4:7 { {",
    "4:9 name c",
    "4:11 = =",
    "4:13 bool false",
    "4:18 , ,",
    "4:20 } }",
    "5:1 eof ",
  ]);
  assert.deepEqual(tokens("[ ]\r\n\tnämé"), ["1:1 [ [", "1:3 ] ]", "2:2 name nämé", "2:6 eof "]);
});

test("numbers: integers, octal, hexadecimal, negative, floats with fraction or exponent", () => {
  assert.deepEqual(tokens("1 0640 0x1F -7 -0x10 1.5 -2.5e3 1e9 .5 1. 0.25E-2"), [
    "1:1 number 1",
    "1:3 number 0640",
    "1:8 number 0x1F",
    "1:13 number -7",
    "1:16 number -0x10",
    "1:22 float 1.5",
    "1:26 float -2.5e3",
    "1:33 float 1e9",
    "1:37 float .5",
    "1:40 float 1.",
    "1:43 float 0.25E-2",
    "1:50 eof ",
  ]);
  // a number ends where its digits end: 5s is the number 5, then a name
  assert.deepEqual(tokens("5s"), ["1:1 number 5", "1:2 name s", "1:3 eof "]);
});

test("strings: escapes and ${ } interpolations with quotes and newlines inside", () => {
  assert.deepEqual(tokens('"a\\"b" "${x("y")}" "${a\n}" "\\u00e9\\U0001F600\\x41\\101"'), [
    '1:1 string "a\\"b"',
    '1:8 string "${x("y")}"',
    '1:20 string "${a\n}"',
    '2:4 string "\\u00e9\\U0001F600\\x41\\101"',
    "2:30 eof ",
  ]);
});

test("heredocs: through the newline after the closing marker, which may be indented", () => {
  assert.deepEqual(tokens("a = <<EOF\nx\n  EOF\nb = <<-T2\n  y\n  T2\n"), [
    "1:1 name a",
    "1:3 = =",
    "1:5 heredoc <<EOF\nx\n  EOF\n",
    "4:1 name b",
    "4:3 = =",
    "4:5 heredoc <<-T2\n  y\n  T2\n",
    "7:1 eof ",
  ]);
});

test("lexical errors name the problem at its position", () => {
  assert.equal(
    lexError('a = "open\n'),
    '1:5: string is not closed: no closing " before the end of the line',
  );
  assert.equal(
    lexError('a = "${x\n'),
    '1:5: string is not closed: no closing " before the end of the file',
  );
  assert.equal(
    lexError('a = "x\\qy"'),
    '1:7: invalid escape "\\\\q" in string (valid: \\n \\t \\r \\" \\\\ \\uXXXX \\UXXXXXXXX \\xXX \\NNN \\a \\b \\f \\v)',
  );
  assert.match(lexError('a = "\\u12"'), /^1:6: invalid escape "\\\\u" in string/);
  assert.match(lexError('a = "\\18"'), /^1:6: invalid escape "\\\\1" in string/);
  assert.equal(
    lexError("a = <<EOF\nx\nEOF"),
    "1:5: heredoc <<EOF is not closed: no line holding only EOF, followed by a newline",
  );
  assert.equal(
    lexError("a = <<-EOF\n  x\nEOF\n"),
    "1:5: heredoc <<-EOF is not closed: with <<- the closing EOF must be indented (at least one space), as Vault reads it",
  );
  assert.equal(
    lexError("a = <<EOF x\n"),
    "1:5: heredoc marker <<EOF must end its line, found other characters",
  );
  assert.equal(lexError("a = <<\nx\n"), "1:5: heredoc needs a marker name, e.g. <<EOF");
  assert.equal(lexError("a = <b"), '1:5: unexpected character "<" (a heredoc starts with <<)');
  assert.equal(lexError("a = 1\n/* never closed\n"), "2:1: comment /* is not closed by */");
  assert.equal(
    lexError("a = 1 / 2"),
    "1:7: a comment starts with // or /*; a lone / is not allowed",
  );
  assert.equal(lexError("a = +1"), '1:5: unexpected character "+"');
  assert.equal(lexError("a = 0x"), "1:5: hexadecimal number needs digits after 0x");
  assert.equal(lexError("a = 1e+"), "1:5: number 1e+ needs digits in its exponent");
  assert.equal(
    lexError("a = .5e3"),
    '1:5: number .5e... starting with "." cannot have an exponent; write 0.5e...',
  );
  assert.equal(lexError('a = "x"\nb = "\0"'), "2:6: character U+0000 is not allowed");
  assert.equal(lexError("\uE123"), "1:1: character U+E123 is not allowed");
});
