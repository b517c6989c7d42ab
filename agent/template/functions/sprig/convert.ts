/**
 * The conversions Sprig applies to `interface{}` arguments, on vaultlet's
 * representation of Go values (see ../values.ts): fmt's `%v` text,
 * cast.ToInt64 / ToFloat64, reflect kinds for error messages, Sprig's
 * `empty` and reflect.DeepEqual. Integer results are Go int64 values,
 * kept as bigint so that passing one where Go wants an `int` fails as it
 * does in Go.
 */
import { formatV } from "../../go/fmt.ts";
import { parseFloat } from "../parse.ts";
import { FunctionError } from "../types.ts";
import {
  Float64,
  JsonNumber,
  TypedNil,
  floatValue,
  goTypeName,
  isFloat,
  isMap,
  isStringSlice,
  structKind,
} from "../values.ts";

/** Sprig's strval: a string as is, anything else as fmt's `%v`. */
export function strval(v: unknown): string {
  if (typeof v === "string") return v;
  return formatV(v);
}

/** reflect.Kind's name, which Sprig's "Cannot ... on type KIND" errors show. */
export function kindName(v: unknown): string {
  if (v === undefined || v === null) return "invalid";
  if (typeof v === "string" || v instanceof JsonNumber) return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int64";
  if (isFloat(v)) return "float64";
  if (typeof v === "number") return "int";
  if (Array.isArray(v)) return "slice";
  if (v instanceof TypedNil || structKind(v) === "secret") return "ptr";
  if (structKind(v) === "pki" || structKind(v) === "cert") return "struct";
  if (isMap(v)) return "map";
  return "ptr";
}

/** `reflect.TypeOf(x).Kind()` on a nil interface dereferences nil; Go reports the panic. */
export function kindOfNonNil(v: unknown): string {
  if (v === undefined || v === null)
    throw new FunctionError("runtime error: invalid memory address or nil pointer dereference");
  return kindName(v);
}

export function isList(v: unknown): v is readonly unknown[] {
  return Array.isArray(v);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** cast's trimZeroDecimal: "3.00" reads as "3", "3." and "3.5" stay. */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === ".") {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === "0") foundZero = true;
    else return s;
  }
  return s;
}

/** strconv.ParseInt(s, 0, 64): base prefixes, underscores between digits; undefined when invalid. */
export function parseIntBase0(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(
    text,
  );
  if (!m) return undefined;
  let body = m[2]!;
  const prefixed = /^0[xXoObB]/.test(body);
  if (body.includes("_")) {
    // underscores only between digits (or after a base prefix)
    const digits = prefixed ? body.slice(2) : body;
    if (/__|_$/.test(digits) || (!prefixed && body.startsWith("_"))) return undefined;
    body = body.replace(/_/g, "");
  }
  let n: bigint;
  if (prefixed) n = BigInt(body.toLowerCase().replace(/^0o/, "0o"));
  else if (body.length > 1 && body.startsWith("0")) n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  if (m[1] === "-") n = -n;
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** cast.ToInt64 (errors become 0, as Sprig ignores them). */
export function toInt64(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (isFloat(v)) {
    const f = floatValue(v);
    return Number.isFinite(f) ? BigInt.asIntN(64, BigInt(Math.trunc(f))) : INT64_MIN;
  }
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string" || v instanceof JsonNumber) {
    const s = typeof v === "string" ? v : v.text;
    return parseIntBase0(trimZeroDecimal(s)) ?? 0n;
  }
  return 0n;
}

/** cast.ToInt: the same conversion as a Go `int` (64 bits here). */
export function toInt(v: unknown): number | bigint {
  return narrow(toInt64(v));
}

/** A small int64 as a JS number (a Go `int`), a large one kept as bigint. */
export function narrow(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : n;
}

/** cast.ToFloat64 (errors become 0). */
export function toFloat64(v: unknown): Float64 {
  if (typeof v === "bigint") return new Float64(Number(v));
  if (typeof v === "number" || v instanceof Float64) return new Float64(floatValue(v));
  if (typeof v === "boolean") return new Float64(v ? 1 : 0);
  if (typeof v === "string" || v instanceof JsonNumber) {
    // strconv.ParseFloat, but "" is an error there (parseFloat gives 0 for it too)
    try {
      return parseFloat(typeof v === "string" ? v : v.text);
    } catch {
      return new Float64(0);
    }
  }
  return new Float64(0);
}

/** Sprig's `empty`: Go's zero value of the argument's kind. */
export function empty(v: unknown): boolean {
  if (v === undefined || v === null || v instanceof TypedNil) return true;
  if (typeof v === "string") return v.length === 0;
  if (v instanceof JsonNumber) return v.text.length === 0;
  if (typeof v === "boolean") return !v;
  if (typeof v === "number") return v === 0;
  if (typeof v === "bigint") return v === 0n;
  if (v instanceof Float64) return v.value === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

/** reflect.DeepEqual on template values: the Go types must match as well as the contents. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (a instanceof JsonNumber) return a.text === (b as JsonNumber).text;
  if (isFloat(a)) return floatValue(a) === floatValue(b);
  if (typeof a === "number" || typeof a === "bigint") return BigInt(a) === BigInt(b as number);
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  if (isMap(a)) {
    const bm = b as Record<string, unknown>;
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(bm).length &&
      ka.every((k) => Object.hasOwn(bm, k) && deepEqual(a[k], bm[k]))
    );
  }
  return a === b;
}

/** Go's `[]string` from a list, as Sprig's strslice: nil elements dropped, others as `%v`. */
export function strslice(v: unknown): string[] {
  if (isStringSlice(v)) return [...(v as string[])];
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}
