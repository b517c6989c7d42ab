/**
 * Go text/template's predefined functions (index, slice, len, comparisons,
 * html, js, urlquery, print*), with Go's error messages. `and`/`or` are in
 * the executor because they short-circuit on unevaluated arguments.
 */
import {
  Float64,
  JsonNumber,
  floatValue,
  goTypeName,
  isFloat,
  isMap,
  isMissing,
  stringSlice,
  structKind,
  TypedNil,
} from "../functions/values.ts";
import { FunctionError } from "../functions/types.ts";
import { formatV, sprint, sprintf, sprintln } from "./fmt.ts";

type Kind = "bool" | "int" | "float" | "string" | "invalid" | "other";

function basicKind(v: unknown): Kind {
  if (v === undefined || v === null || v instanceof TypedNil) return "invalid";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string" || v instanceof JsonNumber) return "string";
  if (isFloat(v)) return "float";
  if (typeof v === "number" || typeof v === "bigint") return "int";
  return "other";
}

function str(v: unknown): string {
  return v instanceof JsonNumber ? v.text : (v as string);
}

export function truth(v: unknown): boolean {
  if (v === undefined || v === null || isMissing(v) || v instanceof TypedNil) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v.length > 0;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "bigint") return v !== 0n;
  if (v instanceof Float64) return v.value !== 0;
  if (v instanceof JsonNumber) return v.text.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (structKind(v)) return true;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function eqPair(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if (k1 !== "invalid" && k2 !== "invalid")
      throw new FunctionError(
        `incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`,
      );
    return false;
  }
  switch (k1) {
    case "invalid":
      return true;
    case "bool":
      return a === b;
    case "int":
      return BigInt(a as number) === BigInt(b as number);
    case "float":
      return floatValue(a) === floatValue(b);
    case "string":
      return str(a) === str(b);
    default:
      if (Array.isArray(a) || Array.isArray(b) || isMap(a) || isMap(b))
        throw new FunctionError(
          `non-comparable type ${goTypeName(isMap(b) || Array.isArray(b) ? b : a)}`,
        );
      return a === b;
  }
}

export function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FunctionError("missing argument for comparison");
  return rest.some((b) => eqPair(a, b));
}

export function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k1 === "other" || k2 === "invalid" || k2 === "other")
    throw new FunctionError("invalid type for comparison");
  if (k1 !== k2)
    throw new FunctionError(
      `incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`,
    );
  switch (k1) {
    case "bool":
      throw new FunctionError("invalid type for comparison");
    case "int":
      return BigInt(a as number) < BigInt(b as number);
    case "float":
      return floatValue(a) < floatValue(b);
    default:
      return Buffer.compare(Buffer.from(str(a)), Buffer.from(str(b))) < 0;
  }
}

export const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq(a, b);
export const gt = (a: unknown, b: unknown): boolean => !le(a, b);
export const ge = (a: unknown, b: unknown): boolean => !lt(a, b);

export function len(v: unknown): number {
  if (v === undefined || v === null || v instanceof TypedNil)
    throw new FunctionError("len of nil pointer");
  if (typeof v === "string") return Buffer.byteLength(v);
  if (v instanceof JsonNumber) return Buffer.byteLength(v.text);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new FunctionError(`len of type ${goTypeName(v)}`);
}

function indexArg(i: unknown, cap: number): number {
  if (i === undefined || i === null) throw new FunctionError("cannot index slice/array with nil");
  if (typeof i !== "number" || !Number.isInteger(i))
    throw new FunctionError(`cannot index slice/array with type ${goTypeName(i)}`);
  if (i < 0 || i > cap) throw new FunctionError(`index out of range: ${i}`);
  return i;
}

export function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FunctionError("index of untyped nil");
  let cur: unknown = item;
  for (const i of indexes) {
    if (cur === undefined || cur === null) throw new FunctionError("index of nil pointer");
    if (Array.isArray(cur)) {
      const x = indexArg(i, cur.length - 1);
      cur = cur[x];
    } else if (typeof cur === "string" || cur instanceof JsonNumber) {
      const bytes = Buffer.from(str(cur));
      cur = bytes[indexArg(i, bytes.length - 1)];
    } else if (isMap(cur)) {
      if (i === undefined || i === null)
        throw new FunctionError("value is nil; should be of type string");
      if (typeof i !== "string")
        throw new FunctionError(`value has type ${goTypeName(i)}; should be string`);
      cur = Object.prototype.hasOwnProperty.call(cur, i) ? cur[i] : null;
    } else {
      throw new FunctionError(`can't index item of type ${goTypeName(cur)}`);
    }
  }
  return cur;
}

export function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FunctionError("slice of untyped nil");
  if (indexes.length > 3) throw new FunctionError(`too many slice indexes: ${indexes.length}`);
  const isStr = typeof item === "string" || item instanceof JsonNumber;
  if (!isStr && !Array.isArray(item))
    throw new FunctionError(`can't slice item of type ${goTypeName(item)}`);
  if (isStr && indexes.length === 3) throw new FunctionError("cannot 3-index slice a string");
  const bytes = isStr ? Buffer.from(str(item)) : undefined;
  const length = bytes ? bytes.length : (item as unknown[]).length;
  const idx = [0, length];
  indexes.forEach((x, k) => {
    idx[k] = indexArg(x, length);
  });
  if (idx[0]! > idx[1]!) throw new FunctionError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (bytes) return bytes.subarray(idx[0], idx[1]).toString("utf8");
  const out = (item as unknown[]).slice(idx[0], idx[1]);
  return out;
}

/** evalArgs: one string argument as is, otherwise fmt.Sprint of the printable values. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return args
    .map((a, i) => {
      // text/template's printableValue: nil is "<no value>", pointers are dereferenced
      const s =
        a === undefined || a === null
          ? "<no value>"
          : structKind(a) === "secret"
            ? formatV(a).replace(/^&/, "")
            : formatV(a);
      return i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string" ? " " + s : s;
    })
    .join("");
}

export function html(...args: unknown[]): string {
  return evalArgs(args).replace(/[\0"'&<>]/g, (c) =>
    c === "\0"
      ? "\uFFFD"
      : { '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c]!,
  );
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function js(...args: unknown[]): string {
  let out = "";
  for (const ch of evalArgs(args)) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case "\\":
        out += "\\\\";
        break;
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case "<":
        out += "\\u003C";
        break;
      case ">":
        out += "\\u003E";
        break;
      case "&":
        out += "\\u0026";
        break;
      case "=":
        out += "\\u003D";
        break;
      default:
        // Go escapes what unicode.IsPrint rejects
        if (c < 0x20 || !PRINTABLE.test(ch))
          out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
        else out += ch;
    }
  }
  return out;
}

export function urlquery(...args: unknown[]): string {
  return encodeURIComponent(evalArgs(args))
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

export function not(v: unknown): boolean {
  return !truth(v);
}

export const print = (...a: unknown[]): string => sprint(a);
export const println = (...a: unknown[]): string => sprintln(a);
export function printf(format: unknown, ...a: unknown[]): string {
  return sprintf(format as string, a);
}

export { stringSlice };

/** Go's predefined functions by name (and/or/call/executeTemplate live in the executor). */
export const BUILTINS: Record<string, (...args: never[]) => unknown> = {
  eq: eq,
  ne: (a: unknown, b: unknown) => !eq(a, b),
  lt: lt,
  le: le,
  gt: gt,
  ge: ge,
  len: len,
  index: index,
  slice: slice,
  not: not,
  html: html,
  js: js,
  urlquery: urlquery,
  print: print,
  println: println,
  printf: printf,
};
/** fixed argument count and whether more may follow */
export const BUILTIN_ARITY: Record<string, [number, boolean]> = {
  eq: [1, true],
  ne: [2, false],
  lt: [2, false],
  le: [2, false],
  gt: [2, false],
  ge: [2, false],
  len: [1, false],
  index: [1, true],
  slice: [1, true],
  not: [1, false],
  html: [0, true],
  js: [0, true],
  urlquery: [0, true],
  print: [0, true],
  println: [0, true],
  printf: [1, true],
};
export const BUILTIN_NAMES: readonly string[] = [
  ...Object.keys(BUILTINS),
  "and",
  "or",
  "call",
  "executeTemplate",
];
