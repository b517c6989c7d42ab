/**
 * toTOML as consul-template writes it with BurntSushi/toml: plain keys
 * first, then tables, each group sorted; a blank line before top-level
 * tables; two spaces of indent per table level; nil values left out;
 * json.Number as an int when it is one, else a float; floats always with a
 * decimal point.
 */
import { FunctionError } from "./types.ts";
import {
  Float64,
  JsonNumber,
  TypedNil,
  isMap,
  isMissing,
  shortestDigits,
  sortedKeys,
  structFields,
  structKind,
} from "./values.ts";

const INDENT = "  ";

function isNil(v: unknown): boolean {
  return v === null || v === undefined || isMissing(v) || v instanceof TypedNil;
}

function asTable(v: unknown): Record<string, unknown> | undefined {
  if (isMap(v)) return v;
  const kind = structKind(v);
  if (!kind) return undefined;
  const obj = v as Record<string, unknown>;
  return Object.fromEntries(structFields(kind).map((f) => [f, obj[f]]));
}

function isArrayOfTables(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 && v.every((e) => asTable(e) !== undefined);
}

const isTableLike = (v: unknown): boolean => asTable(v) !== undefined || isArrayOfTables(v);

export function toTOML(v: unknown): string {
  const table = asTable(v);
  if (!table) throw new FunctionError("toTOML: toml: top-level values must be Go maps or structs");
  const out: string[] = [];
  writeTable([], table, out);
  return out.join("").replace(/^\s+|\s+$/g, "");
}

function writeTable(path: string[], table: Record<string, unknown>, out: string[]): void {
  const keys = sortedKeys(table).filter((k) => !isNil(table[k]));
  const direct = keys.filter((k) => !isTableLike(table[k]));
  const sub = keys.filter((k) => isTableLike(table[k]));
  const indent = INDENT.repeat(path.length);
  for (const k of direct) out.push(`${indent}${key(k)} = ${value(table[k])}\n`);
  for (const k of sub) {
    const child = [...path, k];
    const v = table[k];
    const header = child.map(key).join(".");
    const headerIndent = INDENT.repeat(path.length);
    if (isArrayOfTables(v)) {
      for (const item of v) {
        if (child.length === 1) out.push("\n");
        out.push(`${headerIndent}[[${header}]]\n`);
        writeTable(child, asTable(item)!, out);
      }
    } else {
      if (child.length === 1) out.push("\n");
      out.push(`${headerIndent}[${header}]\n`);
      writeTable(child, asTable(v)!, out);
    }
  }
}

function key(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : quote(k);
}

function value(v: unknown): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : float(v);
  if (v instanceof Float64) return float(v.value);
  if (v instanceof JsonNumber) {
    if (v.text === "") return "0";
    if (/^[+-]?\d+$/.test(v.text)) return BigInt(v.text).toString();
    const f = Number(v.text);
    if (Number.isNaN(f))
      throw new FunctionError(`unable to convert "${v.text}" to int64 or float64`);
    return float(f);
  }
  if (Array.isArray(v))
    return (
      "[" +
      v
        .filter((e) => !isNil(e))
        .map(value)
        .join(", ") +
      "]"
    );
  const t = asTable(v);
  if (t) {
    const parts = sortedKeys(t)
      .filter((k) => !isNil(t[k]))
      .map((k) => `${key(k)} = ${value(t[k])}`);
    return "{" + parts.join(", ") + "}";
  }
  throw new FunctionError("toml: unsupported type");
}

/** strconv 'f' with the shortest digits, plus ".0" when there is no decimal point. */
function float(f: number): string {
  if (Number.isNaN(f)) return "nan";
  if (f === Infinity) return "inf";
  if (f === -Infinity) return "-inf";
  if (f === 0) return Object.is(f, -0) ? "-0.0" : "0.0";
  const { neg, digits, exp } = shortestDigits(f);
  let s: string;
  if (exp < 0) s = "0." + "0".repeat(-exp - 1) + digits;
  else if (exp + 1 >= digits.length) s = digits + "0".repeat(exp + 1 - digits.length);
  else s = digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  if (!s.includes(".")) s += ".0";
  return (neg ? "-" : "") + s;
}

function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const x = c.codePointAt(0)!;
    if (c === '"') out += '\\"';
    else if (c === "\\") out += "\\\\";
    else if (c === "\b") out += "\\b";
    else if (c === "\t") out += "\\t";
    else if (c === "\n") out += "\\n";
    else if (c === "\f") out += "\\f";
    else if (c === "\r") out += "\\r";
    else if (x < 0x20 || x === 0x7f) out += "\\u" + x.toString(16).toUpperCase().padStart(4, "0");
    else out += c;
  }
  return out + '"';
}
