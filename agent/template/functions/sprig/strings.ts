/**
 * Sprig's string functions with Go's semantics: byte offsets where Go slices
 * bytes (trunc, substr), Go's strings.Title word rule, `%q` quoting, and the
 * runtime error Go reports for an out-of-range slice.
 */
import { goQuote } from "../../go/fmt.ts";
import { replaceAll, trim } from "../strings.ts";
import { FunctionError } from "../types.ts";
import { stringSlice } from "../values.ts";
import { setOwn } from "../../../../shared/own.ts";
import { strslice, strval } from "./convert.ts";
import { checkText } from "./limits.ts";

const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");

function sliceError(detail: string): FunctionError {
  return new FunctionError(`runtime error: slice bounds out of range ${detail}`);
}

/** Go's s[start:end] on bytes, with Go's runtime error when out of range. */
function byteSlice(s: string, start: number | undefined, end: number | undefined): string {
  const b = utf8(s);
  const lo = start ?? 0;
  const hi = end ?? b.length;
  if (end !== undefined && (hi < 0 || hi > b.length))
    throw sliceError(`[:${hi}] with length ${b.length}`);
  if (lo < 0 || lo > hi) throw sliceError(`[${lo}:${hi}]`);
  return b.subarray(lo, hi).toString("utf8");
}

export function trunc(c: number, s: string): string {
  const n = utf8(s).length;
  if (c < 0 && n + c > 0) return byteSlice(s, n + c, undefined);
  if (c >= 0 && n > c) return byteSlice(s, undefined, c);
  return s;
}

export function substr(start: number, end: number, s: string): string {
  if (start < 0) return byteSlice(s, undefined, end);
  if (end < 0 || end > utf8(s).length) return byteSlice(s, start, undefined);
  return byteSlice(s, start, end);
}

export function repeat(count: number, s: string): string {
  if (count < 0) throw new FunctionError("strings: negative Repeat count");
  checkText(count * s.length);
  return s.repeat(count);
}

/** Go's unicode.IsSpace. */
const isSpace = (c: string): boolean => /^[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]$/u.test(c);

/** strings.Title: the first letter after a separator becomes title case. */
export function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const c of s) {
    out += isSeparator(prev) ? c.toUpperCase() : c;
    prev = c;
  }
  return out;
}

function isSeparator(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return isSpace(c);
}

/** goutils' Uncapitalize: the first rune in lower case. */
export function untitle(s: string): string {
  const [first = "", ...rest] = [...s];
  return first.toLowerCase() + rest.join("");
}

/**
 * goutils' DeleteWhiteSpace reads the text byte by byte, each byte as a rune:
 * when it removes anything, bytes of multi-byte characters come back as the
 * Latin-1 characters of the same number, as in Go.
 */
export function nospace(s: string): string {
  const bytes = utf8(s);
  const kept = [...bytes].filter((b) => !isSpace(String.fromCharCode(b)));
  return kept.length === bytes.length ? s : String.fromCharCode(...kept);
}

export const quote = (...args: unknown[]): string =>
  args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => goQuote(strval(a)))
    .join(" ");

export const squote = (...args: unknown[]): string =>
  args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => `'${strval(a)}'`)
    .join(" ");

export const cat = (...args: unknown[]): string =>
  args
    .filter((a) => a !== null && a !== undefined)
    .map(strval)
    .join(" ");

export function indent(spaces: number, s: string): string {
  const pad = repeat(spaces, " ");
  const lines = s.split("\n");
  checkText(s.length + pad.length * lines.length);
  return pad + lines.join("\n" + pad);
}

export const nindent = (spaces: number, s: string): string => "\n" + indent(spaces, s);

export const replace = (from: string, to: string, s: string): string => replaceAll(from, to, s);

export const plural = (one: string, many: string, count: number): string =>
  count === 1 ? one : many;

export const trimAll = (cutset: string, s: string): string => trim(cutset, s);

/** strings.Split: an empty separator splits into runes. */
export function goSplit(sep: string, s: string, n = -1): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const runes = [...s];
    if (n < 0 || n >= runes.length) return runes;
    return [...runes.slice(0, n - 1), runes.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || n >= parts.length) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

export const splitList = (sep: string, s: string): string[] => stringSlice(goSplit(sep, s));

function indexed(parts: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  parts.forEach((p, i) => setOwn(out, `_${i}`, p));
  return out;
}

export const splitMap = (sep: string, s: string): Record<string, string> =>
  indexed(goSplit(sep, s));
export const splitn = (sep: string, n: number, s: string): Record<string, string> =>
  indexed(goSplit(sep, s, n));

export const join = (sep: string, v: unknown): string => strslice(v).join(sep);
export const toStrings = (v: unknown): string[] => stringSlice(strslice(v));

/** sort.Strings on the list's `%v` texts (byte order); a non-list becomes one string. */
export function sortAlpha(v: unknown): string[] {
  if (!Array.isArray(v)) return stringSlice([strval(v)]);
  const a = strslice(v);
  return stringSlice(a.sort((x, y) => Buffer.compare(utf8(x), utf8(y))));
}

export const hasPrefix = (p: string, s: string): boolean => s.startsWith(p);
export const hasSuffix = (p: string, s: string): boolean => s.endsWith(p);
export const contains = (sub: string, s: string): boolean => s.includes(sub);
