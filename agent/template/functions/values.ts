/**
 * How Go values look in JavaScript, shared by both engines and the function
 * library. Templates must print and compare values as Go does, so a few Go
 * distinctions that plain JS loses are kept with light markers:
 *
 * - `number` that is an integer is a Go `int`; a non-integer `number` or a
 *   `Float64` is a Go `float64` (`Float64` keeps integral floats such as
 *   `1e6` printing as Go prints them: `1e+06`).
 * - `JsonNumber` (from types.ts) is Go's `json.Number`: a string kind that
 *   prints as written.
 * - Plain objects are `map[string]interface {}`; arrays are `[]interface {}`
 *   unless marked as `[]string` (what `split`, `secrets` and Warnings are).
 * - Values returned by `secret` / `pkiCert` are marked as the structs
 *   consul-template returns, so field access and printing follow Go.
 * - `MISSING` stands for a secret that has not been fetched yet.
 */
import { JsonNumber } from "../types.ts";
import type { ParamType } from "./types.ts";

export { JsonNumber };

/** A Go float64 (printing and JSON differ from ints even when integral). */
export class Float64 {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return formatFloatV(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/** The value a secret function returns before the secret is fetched. */
class MissingValue {
  toString(): string {
    return "";
  }
  toJSON(): null {
    return null;
  }
}
export const MISSING: object = Object.freeze(new MissingValue());
export function isMissing(v: unknown): boolean {
  return v === MISSING;
}

/** A typed nil pointer field (a Secret's Auth or WrapInfo): prints `<nil>`, is false, marshals as null. */
export class TypedNil {
  readonly typeName: string;
  constructor(typeName: string) {
    this.typeName = typeName;
  }
  toString(): string {
    return "<nil>";
  }
  toJSON(): null {
    return null;
  }
}

/**
 * Methods an object offers to templates (`{{ scratch.Set "k" "v" }}`), keyed
 * by name, with Go parameter types like library functions.
 */
export const METHODS: unique symbol = Symbol("goMethods");
export interface MethodTable {
  [name: string]: {
    params: readonly ParamType[];
    variadic?: ParamType;
    fn: (...args: never[]) => unknown;
  };
}
/** Go's type name for an object with methods (`%T`, errors); *template.Scratch when absent. */
export const GO_TYPE: unique symbol = Symbol("goType");

export function methodOf(v: unknown, name: string): MethodTable[string] | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const table = (v as { [METHODS]?: MethodTable })[METHODS];
  return table && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

const stringSlices = new WeakSet<readonly unknown[]>();
/** Mark an array as Go `[]string` (affects type checks and error text only). */
export function stringSlice<T extends readonly string[]>(a: T): T {
  stringSlices.add(a);
  return a;
}
export function isStringSlice(v: unknown): boolean {
  return Array.isArray(v) && stringSlices.has(v);
}

export type StructKind = "secret" | "pki" | "cert";
const structs = new WeakMap<object, StructKind>();
/** Mark an object as one of consul-template's structs. */
export function markStruct<T extends object>(v: T, kind: StructKind): T {
  structs.set(v, kind);
  return v;
}
export function structKind(v: unknown): StructKind | undefined {
  return typeof v === "object" && v !== null ? structs.get(v) : undefined;
}

/** Field order of consul-template's dependency.Secret (Go prints and marshals in this order). */
export const SECRET_FIELDS = [
  "RequestID",
  "LeaseID",
  "LeaseDuration",
  "Renewable",
  "Data",
  "Warnings",
  "Auth",
  "WrapInfo",
] as const;
/** Field order of the pkiCert value. */
export const PKI_FIELDS = ["Cert", "Key", "CA", "CAChain"] as const;

/** Field order of Sprig's certificate (genCA and the other certificate functions). */
export const CERT_FIELDS = ["Cert", "Key"] as const;

export function structFields(kind: StructKind): readonly string[] {
  return kind === "secret" ? SECRET_FIELDS : kind === "pki" ? PKI_FIELDS : CERT_FIELDS;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  if (structs.has(v) || METHODS in v) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

export function isFloat(v: unknown): boolean {
  return v instanceof Float64 || (typeof v === "number" && !Number.isInteger(v));
}

export function floatValue(v: unknown): number {
  return v instanceof Float64 ? v.value : (v as number);
}

/** Go's type name for a value, as `%T` and error messages show it. */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "int64";
  if (v instanceof JsonNumber) return "json.Number";
  if (v instanceof TypedNil) return v.typeName;
  if (isFloat(v)) return "float64";
  if (typeof v === "number") return "int";
  if (Array.isArray(v)) return isStringSlice(v) ? "[]string" : "[]interface {}";
  const kind = structKind(v);
  if (kind === "secret") return "*dependency.Secret";
  if (kind === "pki") return "dependency.PemEncoded";
  if (kind === "cert") return "sprig.certificate";
  if (isMissing(v)) return "<nil>";
  if (typeof v === "object" && METHODS in v)
    return (v as { [GO_TYPE]?: string })[GO_TYPE] ?? "*template.Scratch";
  if (typeof v === "function") return "func";
  return "map[string]interface {}";
}

/** Byte-wise (UTF-8) string order, which is Go's `<` on strings and its map key order. */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (U+10000 and up) sort after U+E000-U+FFFF in UTF-8, but
    // before them in UTF-16 code units.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

export function sortedKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m).sort(compareGoStrings);
}

/** strconv.FormatFloat(f, 'g', -1, 64): what Go's %v prints for a float64. */
export function formatFloatV(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const { neg, digits, exp } = shortestDigits(f);
  // Go uses %e when the exponent is < -4 or >= 6 (for the shortest form).
  if (exp < -4 || exp >= 6) {
    return (neg ? "-" : "") + eNotation(digits, exp);
  }
  return (neg ? "-" : "") + fNotation(digits, exp);
}

/** Shortest round-trip decimal digits and the exponent of the first digit. */
export function shortestDigits(f: number): { neg: boolean; digits: string; exp: number } {
  const neg = f < 0;
  const s = Math.abs(f).toExponential();
  const [mant = "0", e = "0"] = s.split("e");
  return { neg, digits: mant.replace(".", ""), exp: Number(e) };
}

export function eNotation(digits: string, exp: number): string {
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const sign = exp < 0 ? "-" : "+";
  const abs = Math.abs(exp);
  return `${mant}e${sign}${abs < 10 ? "0" + abs : String(abs)}`;
}

function fNotation(digits: string, exp: number): string {
  if (exp < 0) return "0." + "0".repeat(-exp - 1) + digits;
  if (exp + 1 >= digits.length) return digits + "0".repeat(exp + 1 - digits.length);
  return digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
}
