/**
 * Sprig's regex functions (argument order: pattern first, then the text).
 * Patterns are Go RE2 syntax, compiled by the engine's goRegExp; matches
 * follow Go's rule that an empty match right after a match is skipped.
 */
import { goRegExp, regexReplaceAll } from "../strings.ts";
import { stringSlice } from "../values.ts";

export function regexMatch(re: string, s: string): boolean {
  try {
    return goRegExp(re, false).test(s);
  } catch {
    return false;
  }
}

export const mustRegexMatch = (re: string, s: string): boolean => goRegExp(re, false).test(s);

/** [start, end) of up to n matches (all when n < 0), as Go's FindAllStringIndex. */
function findAll(re: string, s: string, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let prevEnd = -1;
  for (const m of s.matchAll(goRegExp(re, true))) {
    if (n >= 0 && out.length >= n) break;
    const start = m.index;
    const end = start + m[0].length;
    if (start === end && start === prevEnd) continue;
    out.push([start, end]);
    prevEnd = end;
  }
  return out;
}

export const regexFindAll = (re: string, s: string, n: number): string[] =>
  stringSlice(n === 0 ? [] : findAll(re, s, n).map(([a, b]) => s.slice(a, b)));

export function regexFind(re: string, s: string): string {
  const m = goRegExp(re, false).exec(s);
  return m ? m[0] : "";
}

export const sprigRegexReplaceAll = (re: string, s: string, repl: string): string =>
  regexReplaceAll(re, repl, s);

export const regexReplaceAllLiteral = (re: string, s: string, repl: string): string =>
  s.replace(goRegExp(re, true), () => repl);

export function regexSplit(re: string, s: string, n: number): string[] {
  if (n === 0) return stringSlice([]);
  if (re.length > 0 && s.length === 0) return stringSlice([""]);
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [a, b] of findAll(re, s, n)) {
    if (n > 0 && parts.length === n - 1) break;
    end = a;
    if (b !== 0) parts.push(s.slice(beg, end));
    beg = b;
  }
  if (end !== s.length) parts.push(s.slice(beg));
  return stringSlice(parts);
}

export const regexQuoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
