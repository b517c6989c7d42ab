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

interface ActionState {
  readonly input: string;
  readonly tokens: Token[];
  readonly atRight: (p: number) => { ok: boolean; trim: boolean };
  parenDepth: number;
}

function lexAction(
  input: string,
  start: number,
  right: string,
  tokens: Token[],
  atRight: (p: number) => { ok: boolean; trim: boolean },
): { pos: number; trim: boolean } {
  const st: ActionState = { input, tokens, atRight, parenDepth: 0 };
  let pos = start;
  for (;;) {
    const r = atRight(pos);
    if (r.ok) {
      if (st.parenDepth > 0) throw new LexError("unclosed left paren", pos);
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
      if (pos > s) emit(st, "space", s, pos);
      continue;
    }
    pos = lexOperand(st, c, pos) ?? lexOperator(st, c, pos);
  }
}

function emit(st: ActionState, type: TokenType, from: number, to: number): number {
  st.tokens.push({ type, value: st.input.slice(from, to), pos: from });
  return to;
}

/** A word, number or literal must end at a space, an operator or the closing delimiter. */
function checkTerminator(st: ActionState, p: number): void {
  const c = st.input[p];
  if (c === undefined || isSpace(c) || ".,|:()=".includes(c) || st.atRight(p).ok) return;
  throw new LexError(`bad character ${describeChar(c)}`, p);
}

/** Strings, variables, fields, numbers and words; undefined when `c` starts none of them. */
function lexOperand(st: ActionState, c: string, pos: number): number | undefined {
  const { input } = st;
  if (c === '"') return emit(st, "string", pos, scanQuoted(input, pos, '"'));
  if (c === "'") return emit(st, "charConstant", pos, scanQuoted(input, pos, "'"));
  if (c === "`") {
    const end = input.indexOf("`", pos + 1);
    if (end < 0) throw new LexError("unterminated raw quoted string", pos);
    return emit(st, "rawString", pos, end + 1);
  }
  if (c === "$" || (c === "." && !(input[pos + 1]! >= "0" && input[pos + 1]! <= "9"))) {
    const end = scanAlnum(input, pos + 1);
    if (c === "." && end === pos + 1) return emit(st, "dot", pos, end);
    checkTerminator(st, end);
    return emit(st, c === "$" ? "variable" : "field", pos, end);
  }
  if (c === "+" || c === "-" || c === "." || (c >= "0" && c <= "9")) {
    const end = scanNumber(input, pos);
    if (isAlnum(input[end]) || input[end] === ".")
      throw new LexError(`bad number syntax: "${input.slice(pos, end + 1)}"`, pos);
    return emit(st, "number", pos, end);
  }
  if (isAlnum(c)) {
    const end = scanAlnum(input, pos);
    checkTerminator(st, end);
    return emit(st, wordType(input.slice(pos, end)), pos, end);
  }
  return undefined;
}

/** `=`, `:=`, `|`, parentheses and other printable ASCII characters. */
function lexOperator(st: ActionState, c: string, pos: number): number {
  if (c === "=") return emit(st, "assign", pos, pos + 1);
  if (c === ":") {
    if (st.input[pos + 1] !== "=") throw new LexError("expected :=", pos);
    return emit(st, "declare", pos, pos + 2);
  }
  if (c === "|") return emit(st, "pipe", pos, pos + 1);
  if (c === "(") {
    st.parenDepth++;
    return emit(st, "leftParen", pos, pos + 1);
  }
  if (c === ")") {
    st.parenDepth--;
    if (st.parenDepth < 0) throw new LexError("unexpected right paren", pos);
    return emit(st, "rightParen", pos, pos + 1);
  }
  const code = c.codePointAt(0)!;
  if (code < 0x7f && code >= 0x20) return emit(st, "char", pos, pos + 1);
  throw new LexError(`unrecognized character in action: ${describeChar(c)}`, pos);
}

/**
 * The end of a quoted string or character constant starting at `start`
 * (Go's lexQuote and lexChar): a backslash skips the next character; a
 * string may not hold a raw newline or end in a backslash.
 */
function scanQuoted(input: string, start: number, quote: '"' | "'"): number {
  const what = quote === '"' ? "unterminated quoted string" : "unterminated character constant";
  let pos = start + 1;
  for (;;) {
    const d = input[pos];
    if (d === "\\") {
      const next = input[pos + 1];
      if (quote === '"' && (next === undefined || next === "\n")) throw new LexError(what, start);
      pos += 2;
      continue;
    }
    if (d === undefined || d === "\n") throw new LexError(what, start);
    pos++;
    if (d === quote) return pos;
  }
}

function scanAlnum(input: string, start: number): number {
  let pos = start;
  while (isAlnum(input[pos])) pos++;
  return pos;
}

function wordType(word: string): TokenType {
  if (KEYWORDS.has(word)) return "keyword";
  if (word === "true" || word === "false") return "bool";
  return word === "nil" ? "nil" : "identifier";
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
