/**
 * The tokens of HCL version 1, the configuration language Vault Agent reads:
 * names, quoted strings, heredocs, numbers, booleans and the punctuation
 * `{ } [ ] = ,`. Whitespace and the three comment forms are skipped.
 * Strings and heredocs are checked here as the reference scanner checks
 * them; their values are decoded by strings.ts.
 */

export type TokenType =
  | "name"
  | "string"
  | "heredoc"
  | "number"
  | "float"
  | "bool"
  | "{"
  | "}"
  | "["
  | "]"
  | "="
  | ","
  | "eof";

export interface Token {
  type: TokenType;
  /** the source text of the token, quotes and heredoc markers included */
  text: string;
  line: number;
  column: number;
}

/** A syntax error at a position of the source; hcl.ts adds the file name. */
export class HclSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(line: number, column: number, message: string) {
    super(message);
    this.name = "HclSyntaxError";
    this.line = line;
    this.column = column;
  }
}

const NAME = /[\p{L}_][\p{L}\p{Nd}_\-.]*/uy;
const HEREDOC_MARKER = /[\p{L}\p{Nd}]*/uy;
const DIGITS = /[0-9]*/y;
const HEX_DIGITS = /[0-9a-fA-F]*/y;
const PUNCTUATION = new Set(["{", "}", "[", "]", "=", ","]);
/** Escapes the reference scanner accepts, and how many digits follow each. */
const ESCAPE_DIGITS: Record<string, { count: number; digits: RegExp }> = {
  x: { count: 2, digits: /[0-9a-fA-F]/ },
  u: { count: 4, digits: /[0-9a-fA-F]/ },
  U: { count: 8, digits: /[0-9a-fA-F]/ },
};
const SIMPLE_ESCAPES = new Set(["a", "b", "f", "n", "r", "t", "v", "\\", '"']);

export class Lexer {
  private readonly text: string;
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  /** `text` with Windows line endings already turned into "\n" (see normalizeNewlines). */
  constructor(text: string) {
    this.text = text;
    rejectReservedCharacters(text);
  }

  next(): Token {
    this.skipSpaceAndComments();
    const start = { pos: this.pos, line: this.line, column: this.pos - this.lineStart + 1 };
    const token = (type: TokenType): Token => ({
      type,
      text: this.text.slice(start.pos, this.pos),
      line: start.line,
      column: start.column,
    });
    const ch = this.text[this.pos];
    if (ch === undefined) return token("eof");
    if (PUNCTUATION.has(ch)) {
      this.pos++;
      return token(ch as TokenType);
    }
    if (ch === '"') {
      this.scanString(start.line, start.column);
      return token("string");
    }
    if (ch === "<") {
      this.scanHeredoc(start.line, start.column);
      return token("heredoc");
    }
    const next = this.text[this.pos + 1] ?? "";
    if (isDigit(ch) || ((ch === "-" || ch === ".") && isDigit(next))) {
      return token(this.scanNumber(start.line, start.column));
    }
    NAME.lastIndex = this.pos;
    const name = NAME.exec(this.text);
    if (name) {
      this.pos += name[0].length;
      return token(name[0] === "true" || name[0] === "false" ? "bool" : "name");
    }
    throw this.error(start.line, start.column, `unexpected character ${quoteChar(ch)}`);
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === "\n") this.newline(this.pos + 1);
      else if (ch === " " || ch === "\t" || ch === "\r") this.pos++;
      else if (ch === "#" || (ch === "/" && this.text[this.pos + 1] === "/")) this.skipLine();
      else if (ch === "/" && this.text[this.pos + 1] === "*") this.skipBlockComment();
      else if (ch === "/") {
        throw this.here("a comment starts with // or /*; a lone / is not allowed");
      } else return;
    }
  }

  private skipLine(): void {
    const end = this.text.indexOf("\n", this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  private skipBlockComment(): void {
    const { line, pos } = this;
    const end = this.text.indexOf("*/", pos + 2);
    if (end < 0) throw this.error(line, pos - this.lineStart + 1, "comment /* is not closed by */");
    this.advanceTo(end + 2);
  }

  /** A quoted string; inside `${ }` quotes and newlines do not end it. */
  private scanString(line: number, column: number): void {
    let braces = 0;
    this.pos++;
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined || (ch === "\n" && braces === 0)) {
        const where = ch === undefined ? "the end of the file" : "the end of the line";
        throw this.error(line, column, `string is not closed: no closing " before ${where}`);
      }
      if (ch === "\n") this.newline(this.pos + 1);
      else this.pos++;
      if (ch === '"' && braces === 0) return;
      if (braces === 0 && ch === "$" && this.text[this.pos] === "{") {
        braces++;
        this.pos++;
      } else if (braces > 0 && ch === "{") braces++;
      if (braces > 0 && ch === "}") braces--;
      if (ch === "\\") this.scanEscape();
    }
  }

  private scanEscape(): void {
    const at = this.pos - 1;
    const ch = this.text[this.pos] ?? "";
    const spec = ESCAPE_DIGITS[ch] ?? (isOctal(ch) ? { count: 3, digits: /[0-7]/ } : undefined);
    if (SIMPLE_ESCAPES.has(ch)) {
      this.pos++;
      return;
    }
    if (spec) {
      const first = isOctal(ch) ? this.pos : this.pos + 1;
      const digits = this.text.slice(first, first + spec.count);
      if (digits.length === spec.count && [...digits].every((d) => spec.digits.test(d))) {
        this.pos = first + spec.count;
        return;
      }
    }
    const shown = this.text.slice(at, at + 2).replace("\n", "\\n");
    throw this.error(
      this.line,
      at - this.lineStart + 1,
      `invalid escape ${JSON.stringify(shown)} in string (valid: \\n \\t \\r \\" \\\\ \\uXXXX \\UXXXXXXXX \\xXX \\NNN \\a \\b \\f \\v)`,
    );
  }

  /**
   * `<<EOF` or `<<-EOF`, the marker alone up to the end of its line, then
   * lines up to one holding only the marker (spaces around it allowed).
   */
  private scanHeredoc(line: number, column: number): void {
    if (this.text[this.pos + 1] !== "<") {
      throw this.error(line, column, 'unexpected character "<" (a heredoc starts with <<)');
    }
    this.pos += 2;
    const indented = this.text[this.pos] === "-";
    if (indented) this.pos++;
    HEREDOC_MARKER.lastIndex = this.pos;
    const marker = HEREDOC_MARKER.exec(this.text)![0];
    this.pos += marker.length;
    if (this.text[this.pos] === "\r" && this.text[this.pos + 1] === "\n") this.pos++;
    if (this.text[this.pos] !== "\n") {
      const found = this.pos >= this.text.length ? "the end of the file" : "other characters";
      throw this.error(
        line,
        column,
        `heredoc marker <<${indented ? "-" : ""}${marker} must end its line, found ${found}`,
      );
    }
    if (marker === "") throw this.error(line, column, "heredoc needs a marker name, e.g. <<EOF");
    this.newline(this.pos + 1);
    const closing = new RegExp(`^[\\t\\n\\v\\f\\r ]*${marker}\\r*$`, "u");
    // As in the reference scanner, the closing line must be at least as long
    // (in bytes) as the opening marker, "-" included.
    const minBytes = Buffer.byteLength(marker) + (indented ? 1 : 0);
    let flush = false; // a closing line at column 0, which <<- does not accept
    for (;;) {
      const end = this.text.indexOf("\n", this.pos);
      if (end < 0) throw this.error(line, column, unclosedHeredoc(marker, indented, flush));
      const content = this.text.slice(this.pos, end);
      this.newline(end + 1);
      if (closing.test(content) && Buffer.byteLength(content) >= minBytes) return;
      flush ||= content === marker;
    }
  }

  private scanNumber(line: number, column: number): "number" | "float" {
    const start = this.pos;
    if (this.text[this.pos] === "-") this.pos++;
    let float = false;
    if (this.text[this.pos] === "0" && /[xX]/.test(this.text[this.pos + 1] ?? "")) {
      this.pos += 2;
      if (this.skip(HEX_DIGITS) === 0)
        throw this.error(line, column, "hexadecimal number needs digits after 0x");
      return "number";
    }
    if (this.text[this.pos] !== ".") this.skip(DIGITS);
    if (this.text[this.pos] === ".") {
      float = true;
      this.pos++;
      this.skip(DIGITS);
    }
    if (this.text[this.pos] === "e" || this.text[this.pos] === "E") {
      // Vault's scanner reads no exponent after a number that starts with "."
      if (this.text[start] === ".") {
        throw this.error(
          line,
          column,
          `number ${this.text.slice(start, this.pos + 1)}... starting with "." cannot have an exponent; write 0${this.text.slice(start, this.pos)}e...`,
        );
      }
      float = true;
      this.pos++;
      if (this.text[this.pos] === "+" || this.text[this.pos] === "-") this.pos++;
      if (this.skip(DIGITS) === 0) {
        throw this.error(
          line,
          column,
          `number ${this.text.slice(start, this.pos)} needs digits in its exponent`,
        );
      }
    }
    return float ? "float" : "number";
  }

  private skip(re: RegExp): number {
    re.lastIndex = this.pos;
    const n = re.exec(this.text)![0].length;
    this.pos += n;
    return n;
  }

  private newline(next: number): void {
    this.pos = next;
    this.line++;
    this.lineStart = next;
  }

  private advanceTo(end: number): void {
    while (this.pos < end) {
      const nl = this.text.indexOf("\n", this.pos);
      if (nl < 0 || nl >= end) break;
      this.newline(nl + 1);
    }
    this.pos = end;
  }

  private here(message: string): HclSyntaxError {
    return this.error(this.line, this.pos - this.lineStart + 1, message);
  }

  private error(line: number, column: number, message: string): HclSyntaxError {
    return new HclSyntaxError(line, column, message);
  }
}

function unclosedHeredoc(marker: string, indented: boolean, flush: boolean): string {
  const opening = `<<${indented ? "-" : ""}${marker}`;
  if (indented && flush) {
    return `heredoc ${opening} is not closed: with <<- the closing ${marker} must be indented (at least one space), as Vault reads it`;
  }
  return `heredoc ${opening} is not closed: no line holding only ${marker}, followed by a newline`;
}

/** The reference parser reads "\r\n" as "\n" before scanning. */
export function normalizeNewlines(text: string): string {
  return text.replaceAll("\r\n", "\n");
}

/** NUL and U+E123 are refused anywhere, as by the reference scanner. */
function rejectReservedCharacters(text: string): void {
  const at = text.search(/[\0\uE123]/);
  if (at < 0) return;
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  throw new HclSyntaxError(line, column, `character ${quoteChar(text[at]!)} is not allowed`);
}

function isDigit(ch: string): boolean {
  return ch >= "0" && ch <= "9";
}

function isOctal(ch: string): boolean {
  return ch >= "0" && ch <= "7";
}

function quoteChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code < 0x20 || code === 0x7f || code === 0xe123
    ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}`
    : JSON.stringify(ch);
}
