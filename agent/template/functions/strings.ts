/** consul-template's string helpers, with Go's strings/regexp semantics. */
import { FunctionError } from "./types.ts";
import { JsonNumber, stringSlice } from "./values.ts";
import { setOwn } from "../../../shared/own.ts";

const SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

export const trimSpace = (s: string): string => s.replace(SPACE, "");

export const join = (sep: string, a: readonly string[] | null): string => (a ?? []).join(sep);

export function split(sep: string, s: string): string[] {
  const t = trimSpace(s);
  if (t === "") return stringSlice([]);
  return stringSlice(sep === "" ? [...t] : t.split(sep));
}

export function splitToMap(sep1: string, sep2: string, s: string): Record<string, string> {
  const t = trimSpace(s);
  const out: Record<string, string> = {};
  if (t === "") return out;
  for (const part of sep1 === "" ? [...t] : t.split(sep1)) {
    const i = part.indexOf(sep2);
    if (i < 0) continue;
    setOwn(out, part.slice(0, i), part.slice(i + sep2.length));
  }
  return out;
}

/** strings.Trim: drop leading and trailing code points found in cutset. */
export function trim(cutset: string, s: string): string {
  const cut = new Set(cutset);
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && cut.has(cps[a]!)) a++;
  while (b > a && cut.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join("");
}

export const trimPrefix = (p: string, s: string): string =>
  p && s.startsWith(p) ? s.slice(p.length) : s;
export const trimSuffix = (p: string, s: string): string =>
  p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;

/** strings.Replace(s, f, t, -1); an empty `f` inserts `t` around every character, as Go does. */
export function replaceAll(f: string, t: string, s: string): string {
  if (f === "") return t + [...s].join(t) + (s.length ? t : "");
  return s.split(f).join(t);
}

export const toLower = (s: string): string => s.toLowerCase();
export const toUpper = (s: string): string => s.toUpperCase();
/** Title case without lowering the rest of each word (cases.Title with NoLower). */
export const toTitle = (s: string): string =>
  s.replace(
    /(^|[^\p{L}\p{N}\p{M}'_])(\p{L})/gu,
    (_m, pre: string, ch: string) => pre + ch.toUpperCase(),
  );

/** indent: prefix every non-empty line start with `spaces` spaces. */
export function indent(spaces: number, s: string): string {
  if (spaces < 0) throw new FunctionError("indent value must be a positive integer");
  const prefix = " ".repeat(spaces);
  let out = "";
  let atStart = true;
  for (const c of s) {
    if (atStart && c !== "\n") out += prefix;
    out += c;
    atStart = c === "\n";
  }
  return out;
}

/**
 * Compile a Go (RE2) regular expression as a JS RegExp: `(?P<name>` groups
 * and leading `(?flags)` are translated; RE2 has no backreferences or
 * lookaround, so patterns using them fail as they would in Go.
 */
export function goRegExp(re: string, global: boolean): RegExp {
  let src = re.replace(/\(\?P</g, "(?<");
  let flags = global ? "g" : "";
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1]!) if (f !== "U" && !flags.includes(f)) flags += f;
  }
  if (/\\[1-9]|\(\?[=!]|\(\?<[=!]/.test(src))
    throw new FunctionError("error parsing regexp: invalid or unsupported Perl syntax");
  try {
    return new RegExp(src, flags + "u");
  } catch {
    try {
      return new RegExp(src, flags);
    } catch {
      throw new FunctionError("error parsing regexp: invalid syntax");
    }
  }
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$. */
function expand(
  template: string,
  groups: string[],
  named: Record<string, string> | undefined,
): string {
  return template.replace(
    /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
    (_m, all: string, braced?: string, bare?: string) => {
      if (all === "$") return "$";
      const name = braced ?? bare!;
      if (/^\d+$/.test(name)) return groups[Number(name)] ?? "";
      return named?.[name] ?? "";
    },
  );
}

export function regexReplaceAll(re: string, pl: string, s: string): string {
  const rx = goRegExp(re, true);
  return s.replace(rx, (...m: unknown[]) => {
    const last = m[m.length - 1];
    const named =
      typeof last === "object" && last !== null ? (last as Record<string, string>) : undefined;
    const groupCount = m.length - (named ? 3 : 2);
    const groups = m.slice(0, groupCount).map((g) => (typeof g === "string" ? g : ""));
    return expand(pl, groups, named);
  });
}

export const regexMatch = (re: string, s: string): boolean => goRegExp(re, false).test(s);

type Scalar = string | number | boolean | JsonNumber;

function sameKindEqual(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (typeof a === "string" && typeof b === "string") return a === b;
  if (a instanceof JsonNumber && b instanceof JsonNumber) return a.text === b.text;
  if (
    typeof a === "object" &&
    a !== null &&
    "value" in a &&
    typeof b === "object" &&
    b !== null &&
    "value" in b
  )
    return (a as { value: number }).value === (b as { value: number }).value;
  return false;
}

/** `in l v`: is v an element of list l, or a substring of string l (same Go types only). */
export function inList(l: unknown, v: unknown): boolean {
  if (Array.isArray(l)) return l.some((e) => sameKindEqual(e, v));
  if (typeof l === "string" && typeof v === "string") return l.includes(v);
  if (l instanceof JsonNumber && v instanceof JsonNumber) return l.text.includes(v.text);
  return false;
}

export const contains = (v: unknown, l: unknown): boolean => inList(l, v);

export function containsSome(retTrue: boolean, invert: boolean) {
  return (v: readonly unknown[] | null, l: unknown): boolean => {
    for (const x of v ?? []) if (inList(l, x as Scalar) !== invert) return !retTrue;
    return retTrue;
  };
}
