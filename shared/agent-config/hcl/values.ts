/**
 * Literal values of HCL version 1, decoded as Vault Agent's parser decodes
 * them: quoted strings (Go escapes; `${ ... }` kept as written), heredocs
 * (`<<-` removes the closing marker's indentation from every line), and
 * numbers (a leading 0 is octal, 0x hexadecimal, 64-bit integers).
 * Each function gets a token the lexer accepted and throws a plain Error
 * with the reason when the value itself is out of range.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SIMPLE: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
};

/** The value of a quoted string token (quotes included in `text`). */
export function unquote(text: string): string {
  const s = text.slice(1, -1);
  if (!s.includes("\\") && !s.includes("$")) return s;
  let out = "";
  // \x and octal escapes give bytes, which may form UTF-8 together
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) out += decodeUtf8(bytes);
    bytes = [];
  };
  let i = 0;
  while (i < s.length) {
    if (s.startsWith("${", i)) {
      const end = interpolationEnd(s, i + 2);
      flush();
      out += s.slice(i, end);
      i = end;
      continue;
    }
    const ch = s[i]!;
    if (ch !== "\\") {
      flush();
      out += ch;
      i++;
      continue;
    }
    const kind = s[i + 1]!;
    if (kind in SIMPLE) {
      flush();
      out += SIMPLE[kind];
      i += 2;
    } else if (kind === "x") {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (kind === "u" || kind === "U") {
      const n = kind === "u" ? 4 : 8;
      const code = parseInt(s.slice(i + 2, i + 2 + n), 16);
      if (code > 0x10ffff) throw new Error(`escape ${s.slice(i, i + 2 + n)} is beyond Unicode`);
      flush();
      // a surrogate alone is not a character: Go writes U+FFFD for it
      out += code >= 0xd800 && code <= 0xdfff ? "\uFFFD" : String.fromCodePoint(code);
      i += 2 + n;
    } else {
      const code = parseInt(s.slice(i + 1, i + 4), 8);
      if (code > 255) throw new Error(`octal escape ${s.slice(i, i + 4)} is above \\377`);
      bytes.push(code);
      i += 4;
    }
  }
  flush();
  return out;
}

/** Index just past the `}` closing the `${` whose body starts at `from`. */
function interpolationEnd(s: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < s.length && depth > 0) {
    if (s[i] === "\uFFFD") throw new Error("U+FFFD is not allowed inside ${ }");
    if (s[i] === "{") depth++;
    else if (s[i] === "}") depth--;
    i++;
  }
  if (depth > 0) throw new Error("${ is not closed by } in the string");
  return i;
}

/**
 * Bytes as Go reads them into a string: valid UTF-8 sequences are
 * characters, every other byte is U+FFFD.
 */
function decodeUtf8(bytes: number[]): string {
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
    const seq = bytes.slice(i, i + len);
    const decoded = len > 0 && seq.length === len ? tryDecode(seq) : undefined;
    if (decoded === undefined) {
      out += "\uFFFD";
      i++;
    } else {
      out += decoded;
      i += len;
    }
  }
  return out;
}

function tryDecode(seq: number[]): string | undefined {
  if (seq.length === 1) return String.fromCharCode(seq[0]!);
  if (!seq.slice(1).every((b) => (b & 0xc0) === 0x80)) return undefined;
  const lead = seq[0]! & (0x7f >> seq.length);
  const code = seq.slice(1).reduce((acc, b) => (acc << 6) | (b & 0x3f), lead);
  const min = [0, 0, 0x80, 0x800, 0x10000][seq.length]!;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCodePoint(code);
}

/**
 * The value of a heredoc token (from `<<` through the newline after the
 * closing marker). Plain heredocs keep every line as written. `<<-` heredocs
 * lose the closing marker's indentation from each line, when every line
 * starts with it; otherwise they are kept as written.
 */
export function heredocValue(text: string): string {
  const firstNewline = text.indexOf("\n");
  // the body ends where the closing line's marker (and its newline) begins
  const markerAndNewline = firstNewline - 1;
  if (text[2] !== "-") return text.slice(firstNewline + 1, text.length - markerAndNewline);
  const lines = text.slice(firstNewline + 1, text.length - markerAndNewline + 1).split("\n");
  const indent = lines.at(-1)!;
  if (!lines.every((l) => l.startsWith(indent))) {
    return text.slice(firstNewline + 1, text.length - markerAndNewline).replace(/[ \t]+$/, "");
  }
  return lines.map((l, k) => (k === lines.length - 1 ? "" : l.slice(indent.length))).join("\n");
}

/** An integer token: decimal, octal after a leading 0, hexadecimal after 0x. */
export function integerValue(text: string): number {
  const negative = text.startsWith("-");
  const digits = negative ? text.slice(1) : text;
  let literal: string;
  if (/^0[xX]/.test(digits)) literal = digits;
  else if (digits.length > 1 && digits.startsWith("0")) {
    if (!/^[0-7]+$/.test(digits)) {
      throw new Error(`${text} is not a valid octal number (a leading 0 means octal: digits 0-7)`);
    }
    literal = `0o${digits.slice(1)}`;
  } else literal = digits;
  const value = negative ? -BigInt(literal) : BigInt(literal);
  if (value < INT64_MIN || value > INT64_MAX)
    throw new Error(`${text} is out of range for a 64-bit integer`);
  return Number(value);
}

export function floatValue(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${text} is out of range for a number`);
  return value;
}
