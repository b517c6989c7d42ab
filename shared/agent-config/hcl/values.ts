/**
 * Literal values of HCL version 1, decoded as Vault Agent's parser decodes
 * them: quoted strings (Go escapes; `${ ... }` kept as written), heredocs
 * (`<<-` removes the closing marker's indentation from every line), and
 * numbers (a leading 0 is octal, 0x hexadecimal, 64-bit integers).
 * Each function gets a token the lexer accepted and throws a plain Error
 * with the reason when the value itself is out of range.
 */
import { unquoteGo } from "../../go-string.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The value of a quoted string token (quotes included in `text`): Go escapes,
 * `${ ... }` kept as written (shared with the template engine, see go-string.ts).
 */
export function unquote(text: string): string {
  return unquoteGo(text, { hcl: true });
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
