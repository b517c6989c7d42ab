/**
 * Lexer for Go's text/template: splits text from actions, applies the
 * `{{- ` / ` -}}` trim markers to the neighbouring text exactly as Go does
 * (all of " \t\r\n"), drops comments, and tokenises action contents.
 */

export type TokenType =
  | "text"
  | "left"
  | "right"
  | "space"
  | "field"
  | "variable"
  | "identifier"
  | "keyword"
  | "bool"
  | "nil"
  | "dot"
  | "number"
  | "char"
  | "string"
  | "rawString"
  | "charConstant"
  | "declare"
  | "assign"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "eof";

export interface Token {
  type: TokenType;
  value: string;
  /** index into the template text */
  pos: number;
}

export const KEYWORDS = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "template",
  "with",
]);

export class LexError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.pos = pos;
  }
}

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\r" || c === "\n";
const isAlnum = (c: string | undefined): boolean =>
  c !== undefined && (c === "_" || /[\p{L}\p{Nd}]/u.test(c));
const TRIM_CHARS = /[ \t\r\n]+$/;
const LEAD_TRIM = /^[ \t\r\n]+/;

export function lex(input: string, leftDelim = "{{", rightDelim = "}}"): Token[] {
  const left = leftDelim || "{{";
  const right = rightDelim || "}}";
  const tokens: Token[] = [];
  let pos = 0;
  let trimNext = false;

  const atRight = (p: number): { ok: boolean; trim: boolean } => {
    // Go accepts any ASCII space before the trim marker, newline included.
    if (isSpace(input[p]) && input[p + 1] === "-" && input.startsWith(right, p + 2))
      return { ok: true, trim: true };
    if (input.startsWith(right, p)) return { ok: true, trim: false };
    return { ok: false, trim: false };
  };

  while (pos <= input.length) {
    const idx = input.indexOf(left, pos);
    let text = input.slice(pos, idx < 0 ? input.length : idx);
    if (trimNext) {
      const m = LEAD_TRIM.exec(text);
      if (m) {
        pos += m[0].length;
        text = text.slice(m[0].length);
      }
    }
    if (idx < 0) {
      if (text) tokens.push({ type: "text", value: text, pos });
      break;
    }
    let inner = idx + left.length;
    const trimLeft = input[inner] === "-" && isSpace(input[inner + 1]);
    if (trimLeft) {
      text = text.replace(TRIM_CHARS, "");
      inner += 2;
    }
    if (text) tokens.push({ type: "text", value: text, pos });
    if (input.startsWith("/*", inner)) {
      const end = input.indexOf("*/", inner + 2);
      if (end < 0) throw new LexError("unclosed comment", idx);
      const r = atRight(end + 2);
      if (!r.ok) throw new LexError("comment ends before closing delimiter", idx);
      pos = end + 2 + (r.trim ? 2 : 0) + right.length;
      trimNext = r.trim;
      continue;
    }
    tokens.push({ type: "left", value: left, pos: idx });
    const after = lexAction(input, inner, right, tokens, atRight);
    pos = after.pos;
    trimNext = after.trim;
  }
  tokens.push({ type: "eof", value: "", pos: input.length });
  return tokens;
}

function lexAction(
  input: string,
  start: number,
  right: string,
  tokens: Token[],
  atRight: (p: number) => { ok: boolean; trim: boolean },
): { pos: number; trim: boolean } {
  let pos = start;
  let parenDepth = 0;
  const emit = (type: TokenType, from: number, to: number): void => {
    tokens.push({ type, value: input.slice(from, to), pos: from });
  };
  const checkTerminator = (p: number): void => {
    const c = input[p];
    if (c === undefined || isSpace(c) || ".,|:()=".includes(c) || atRight(p).ok) return;
    throw new LexError(`bad character ${describeChar(c)}`, p);
  };
  for (;;) {
    const r = atRight(pos);
    if (r.ok) {
      if (parenDepth > 0) throw new LexError("unclosed left paren", pos);
      const at = pos + (r.trim ? 2 : 0);
      tokens.push({ type: "right", value: right, pos: at });
      return { pos: at + right.length, trim: r.trim };
    }
    const c = input[pos];
    if (c === undefined) throw new LexError("unclosed action", pos);
    if (isSpace(c)) {
      const s = pos;
      while (isSpace(input[pos])) pos++;
      // a trim-marked close (" -}}") keeps its space
      if (input[pos] === "-" && input.startsWith(right, pos + 1)) pos--;
      if (pos > s) emit("space", s, pos);
      continue;
    }
    if (c === "=") {
      emit("assign", pos, ++pos);
      continue;
    }
    if (c === ":") {
      if (input[pos + 1] !== "=") throw new LexError("expected :=", pos);
      emit("declare", pos, (pos += 2));
      continue;
    }
    if (c === "|") {
      emit("pipe", pos, ++pos);
      continue;
    }
    if (c === '"') {
      const s = pos++;
      for (;;) {
        const d = input[pos];
        if (d === "\\") {
          if (input[pos + 1] === undefined || input[pos + 1] === "\n")
            throw new LexError("unterminated quoted string", s);
          pos += 2;
          continue;
        }
        if (d === undefined || d === "\n") throw new LexError("unterminated quoted string", s);
        pos++;
        if (d === '"') break;
      }
      emit("string", s, pos);
      continue;
    }
    if (c === "`") {
      const end = input.indexOf("`", pos + 1);
      if (end < 0) throw new LexError("unterminated raw quoted string", pos);
      emit("rawString", pos, end + 1);
      pos = end + 1;
      continue;
    }
    if (c === "'") {
      const s = pos++;
      for (;;) {
        const d = input[pos];
        if (d === "\\") {
          pos += 2;
          continue;
        }
        if (d === undefined || d === "\n") throw new LexError("unterminated character constant", s);
        pos++;
        if (d === "'") break;
      }
      emit("charConstant", s, pos);
      continue;
    }
    if (c === "$") {
      const s = pos++;
      while (isAlnum(input[pos])) pos++;
      checkTerminator(pos);
      emit("variable", s, pos);
      continue;
    }
    if (c === "." && !(input[pos + 1]! >= "0" && input[pos + 1]! <= "9")) {
      const s = pos++;
      while (isAlnum(input[pos])) pos++;
      if (pos === s + 1) {
        emit("dot", s, pos);
        continue;
      }
      checkTerminator(pos);
      emit("field", s, pos);
      continue;
    }
    if (c === "+" || c === "-" || c === "." || (c >= "0" && c <= "9")) {
      const s = pos;
      pos = scanNumber(input, pos);
      if (isAlnum(input[pos]) || input[pos] === ".")
        throw new LexError(`bad number syntax: "${input.slice(s, pos + 1)}"`, s);
      emit("number", s, pos);
      continue;
    }
    if (isAlnum(c)) {
      const s = pos;
      while (isAlnum(input[pos])) pos++;
      checkTerminator(pos);
      const word = input.slice(s, pos);
      const type: TokenType = KEYWORDS.has(word)
        ? "keyword"
        : word === "true" || word === "false"
          ? "bool"
          : word === "nil"
            ? "nil"
            : "identifier";
      emit(type, s, pos);
      continue;
    }
    if (c === "(") {
      parenDepth++;
      emit("leftParen", pos, ++pos);
      continue;
    }
    if (c === ")") {
      parenDepth--;
      if (parenDepth < 0) throw new LexError("unexpected right paren", pos);
      emit("rightParen", pos, ++pos);
      continue;
    }
    const code = c.codePointAt(0)!;
    if (code < 0x7f && code >= 0x20) {
      emit("char", pos, ++pos);
      continue;
    }
    throw new LexError(`unrecognized character in action: ${describeChar(c)}`, pos);
  }
}

function scanNumber(input: string, start: number): number {
  let pos = start;
  if (input[pos] === "+" || input[pos] === "-") pos++;
  let digits = "0123456789_";
  if (input[pos] === "0" && /[xXoObB]/.test(input[pos + 1] ?? "")) {
    const p = input[pos + 1]!.toLowerCase();
    digits = p === "x" ? "0123456789abcdefABCDEF_" : p === "o" ? "01234567_" : "01_";
    pos += 2;
  }
  while (pos < input.length && digits.includes(input[pos]!)) pos++;
  if (input[pos] === ".") {
    pos++;
    while (pos < input.length && digits.includes(input[pos]!)) pos++;
  }
  if (digits.length === 11 && /[eE]/.test(input[pos] ?? "")) {
    pos++;
    if (input[pos] === "+" || input[pos] === "-") pos++;
    while (pos < input.length && "0123456789_".includes(input[pos]!)) pos++;
  }
  if (digits.length > 11 && /[pP]/.test(input[pos] ?? "")) {
    pos++;
    if (input[pos] === "+" || input[pos] === "-") pos++;
    while (pos < input.length && "0123456789_".includes(input[pos]!)) pos++;
  }
  return pos;
}

export function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")} '${c}'`;
}
