import { VaultletError } from "./errors.ts";

/**
 * Go string literals, as `strconv.Unquote` reads them, for both programs'
 * readers of Go syntax (the template engine and the HCL config reader).
 *
 * A Go string is bytes, a JS string is UTF-16. `\x` and octal escapes are
 * bytes: together they may spell UTF-8 (`"\xc3\xa9"` is "é"). A byte that is
 * not part of valid UTF-8 is kept as the lone surrogate U+DC00+byte (the
 * "surrogate escape" Python uses), which valid text never holds; goStringBytes
 * turns it back into that byte when the string is written, and fmt's %q
 * prints it as `\xff`, as Go does.
 */
export const GO_STRING_INVALID = "GO_STRING_INVALID";

export class GoStringError extends VaultletError {
  /** index in the literal (quotes included) where the bad escape starts */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(GO_STRING_INVALID, message);
    this.offset = offset;
  }
}

export interface UnquoteOptions {
  /**
   * HCL: `${ ... }` is kept as written (its quotes and backslashes are not
   * escapes), and a `\u` surrogate half becomes U+FFFD instead of an error.
   */
  readonly hcl?: boolean;
}

const SIMPLE: Readonly<Record<string, string>> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

const ESCAPE_BASE = 0xdc00;

/** The value of a double-quoted or raw (backquoted) Go string literal, quotes included. */
export function unquoteGo(literal: string, opts: UnquoteOptions = {}): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) {
    throw new GoStringError(`${JSON.stringify(literal)} is not a quoted string`, 0);
  }
  const body = literal.slice(1, -1);
  if (quote === "`") return body.replace(/\r/g, "");
  if (quote !== '"') throw new GoStringError(`${JSON.stringify(literal)} is not a string`, 0);
  if (!body.includes("\\") && !body.includes("$")) return body;
  return decodeBody(body, quote, opts);
}

/** The code point of a Go rune literal such as `'a'`, `'\n'`, `'\xff'` (255) or `'é'`. */
export function unquoteGoRune(literal: string): number {
  const body = literal.slice(1, -1);
  if (literal[0] !== "'" || literal[literal.length - 1] !== "'" || body === "") {
    throw new GoStringError(`malformed character constant: ${literal}`, 0);
  }
  if (body[0] !== "\\") {
    const chars = [...body];
    if (chars.length !== 1) throw new GoStringError(`malformed character constant: ${literal}`, 0);
    return chars[0]!.codePointAt(0)!;
  }
  const e = escape(body, 0, "'", {});
  if (e.next !== body.length)
    throw new GoStringError(`malformed character constant: ${literal}`, 0);
  return e.byte ?? e.text.codePointAt(0)!;
}

interface Escape {
  /** a byte (`\x`, octal), or undefined when the escape is text */
  byte?: number;
  text: string;
  next: number;
}

function decodeBody(body: string, quote: string, opts: UnquoteOptions): string {
  let out = "";
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) out += bytesToGoString(bytes);
    bytes = [];
  };
  let i = 0;
  while (i < body.length) {
    if (opts.hcl && body.startsWith("${", i)) {
      const end = interpolationEnd(body, i + 2);
      flush();
      out += body.slice(i, end);
      i = end;
    } else if (body[i] !== "\\") {
      flush();
      out += body[i];
      i++;
    } else {
      const e = escape(body, i, quote, opts);
      if (e.byte !== undefined) bytes.push(e.byte);
      else {
        flush();
        out += e.text;
      }
      i = e.next;
    }
  }
  flush();
  return out;
}

/** The escape starting with the backslash at `at`. */
function escape(s: string, at: number, quote: string, opts: UnquoteOptions): Escape {
  const kind = s[at + 1] ?? "";
  const bad = (why: string) =>
    new GoStringError(`invalid escape ${s.slice(at, at + 2)}: ${why}`, at + 1);
  if (kind in SIMPLE) return { text: SIMPLE[kind]!, next: at + 2 };
  if (kind === quote) return { text: quote, next: at + 2 };
  const digits = (n: number, re: RegExp, from: number) => {
    const d = s.slice(from, from + n);
    if (d.length !== n || !re.test(d))
      throw bad(`needs ${n} ${re === HEX ? "hex" : "octal"} digits`);
    return d;
  };
  if (kind === "x") return { byte: parseInt(digits(2, HEX, at + 2), 16), text: "", next: at + 4 };
  if (kind === "u" || kind === "U") {
    const n = kind === "u" ? 4 : 8;
    const code = parseInt(digits(n, HEX, at + 2), 16);
    const surrogate = code >= 0xd800 && code <= 0xdfff;
    if (code > 0x10ffff || (surrogate && !opts.hcl)) {
      throw new GoStringError(`escape ${s.slice(at, at + 2 + n)} is beyond Unicode`, at + 1);
    }
    return { text: surrogate ? "\uFFFD" : String.fromCodePoint(code), next: at + 2 + n };
  }
  if (kind >= "0" && kind <= "7") {
    const code = parseInt(digits(3, OCTAL, at + 1), 8);
    if (code > 255) {
      throw new GoStringError(`octal escape ${s.slice(at, at + 4)} is above \\377`, at + 1);
    }
    return { byte: code, text: "", next: at + 4 };
  }
  throw bad('use one of \\a \\b \\f \\n \\r \\t \\v \\\\ \\" \\xXX \\NNN \\uXXXX \\UXXXXXXXX');
}

const HEX = /^[0-9a-fA-F]+$/;
const OCTAL = /^[0-7]+$/;

/** Index just past the `}` closing the `${` whose body starts at `from`. */
function interpolationEnd(s: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < s.length && depth > 0) {
    if (s[i] === "{") depth++;
    else if (s[i] === "}") depth--;
    i++;
  }
  return i;
}

/** Bytes as a Go string: UTF-8 where valid, each other byte as its surrogate escape. */
export function bytesToGoString(bytes: readonly number[]): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len =
      b < 0x80
        ? 1
        : b >= 0xc2 && b <= 0xdf
          ? 2
          : b >= 0xe0 && b <= 0xef
            ? 3
            : b >= 0xf0 && b <= 0xf4
              ? 4
              : 0;
    const decoded =
      len > 0 && i + len <= bytes.length ? utf8Rune(bytes.slice(i, i + len)) : undefined;
    if (decoded === undefined) {
      out += String.fromCharCode(ESCAPE_BASE + b);
      i++;
    } else {
      out += decoded;
      i += len;
    }
  }
  return out;
}

/** One UTF-8 sequence as Go's utf8.DecodeRune accepts it (no overlong forms, no surrogates). */
function utf8Rune(seq: number[]): string | undefined {
  if (seq.length === 1) return String.fromCharCode(seq[0]!);
  if (!seq.slice(1).every((b) => (b & 0xc0) === 0x80)) return undefined;
  const lead = seq[0]! & (0x7f >> seq.length);
  const code = seq.slice(1).reduce((acc, b) => (acc << 6) | (b & 0x3f), lead);
  const min = [0, 0, 0x80, 0x800, 0x10000][seq.length]!;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCodePoint(code);
}

/** A lone surrogate escape (U+DC80..U+DCFF not after a high surrogate) anywhere in the string. */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** The byte a code point stands for when it is a surrogate escape, else undefined. */
export function escapedByte(codePoint: number): number | undefined {
  return codePoint >= 0xdc80 && codePoint <= 0xdcff ? codePoint - ESCAPE_BASE : undefined;
}

/** The bytes of a Go string: UTF-8, with each surrogate escape written back as its byte. */
export function goStringBytes(s: string): Buffer {
  if (!ESCAPED_BYTE.test(s)) return Buffer.from(s, "utf8");
  const parts: Buffer[] = [];
  let text = "";
  for (const ch of s) {
    const byte = escapedByte(ch.codePointAt(0)!);
    if (byte === undefined) {
      text += ch;
      continue;
    }
    parts.push(Buffer.from(text, "utf8"), Buffer.of(byte));
    text = "";
  }
  parts.push(Buffer.from(text, "utf8"));
  return Buffer.concat(parts);
}
