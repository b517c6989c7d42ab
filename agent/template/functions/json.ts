/**
 * Go's encoding/json Marshal / MarshalIndent for template values: map keys
 * in byte order, struct fields in declaration order, `<`, `>`, `&`, U+2028
 * and U+2029 escaped, json.Number written as is, floats as Go writes them.
 */
import { FunctionError } from "./types.ts";
import {
  Float64,
  GO_TYPE,
  JsonNumber,
  isMissing,
  sortedKeys,
  structFields,
  structKind,
  TypedNil,
} from "./values.ts";

export interface MarshalOptions {
  indent?: string;
  escapeHTML?: boolean;
}

export function marshal(v: unknown, options: MarshalOptions = {}): string {
  return encode(v, options.indent ?? "", "", options.escapeHTML ?? true);
}

function encode(v: unknown, indent: string, cur: string, html: boolean): string {
  if (v === undefined || v === null || isMissing(v) || v instanceof TypedNil) return "null";
  if (typeof v === "string") return quote(v, html);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof JsonNumber) return v.text === "" ? "0" : v.text;
  if (typeof v === "number" || v instanceof Float64) {
    const n = Number(v);
    if (!Number.isFinite(n))
      throw new FunctionError(
        `json: unsupported value: ${Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf"}`,
      );
    // an int has no negative zero; a float64 keeps it
    return v instanceof Float64 && Object.is(n, -0) ? "-0" : String(n);
  }
  // a Go value with its own JSON text (time.Time, *semver.Version)
  const own = v as { [GO_TYPE]?: string; toJSON?: () => unknown };
  if (typeof v === "object" && own[GO_TYPE] !== undefined && typeof own.toJSON === "function")
    return quote(String(own.toJSON()), html);
  const inner = cur + indent;
  const nl = indent ? "\n" : "";
  const colon = indent ? ": " : ":";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return (
      "[" +
      nl +
      v.map((e) => inner + encode(e, indent, inner, html)).join("," + nl) +
      nl +
      cur +
      "]"
    );
  }
  const obj = v as Record<string, unknown>;
  const kind = structKind(v);
  const keys = kind
    ? structFields(kind).filter((f) => !(kind === "pki" && f === "CAChain" && obj[f] === undefined))
    : sortedKeys(obj);
  if (keys.length === 0) return "{}";
  const parts = keys.map((k) => {
    let val = obj[k];
    if (kind === "secret" && k === "Data" && val === undefined) val = null;
    return inner + quote(k, html) + colon + encode(val, indent, inner, html);
  });
  return "{" + nl + parts.join("," + nl) + nl + cur + "}";
}

const HEX = "0123456789abcdef";

export function quote(s: string, html = true): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      c >= 0x20 &&
      c !== 0x22 &&
      c !== 0x5c &&
      c < 0x7f &&
      !(html && (c === 0x3c || c === 0x3e || c === 0x26))
    ) {
      out += s[i];
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
      case 0x08:
        out += "\\b";
        continue;
      case 0x0c:
        out += "\\f";
        continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) {
      out += "\\u00" + HEX[c >> 4] + HEX[c & 0xf];
      continue;
    }
    if (c === 0x2028 || c === 0x2029) {
      out += "\\u202" + HEX[c & 0xf];
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
      out += "\\ufffd";
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += "\\ufffd";
      continue;
    }
    out += s[i];
  }
  return out + '"';
}
