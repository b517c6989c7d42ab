/**
 * toYAML in the shape of Go's gopkg.in/yaml.v2 output as consul-template
 * trims it: keys sorted, 2-space indent, sequences not indented under their
 * key, strings that would read back as another type double-quoted.
 */
import { stringify } from "yaml";
import { Float64, JsonNumber, isMissing, structFields, structKind } from "./values.ts";

function plain(v: unknown): unknown {
  if (v === undefined || isMissing(v)) return null;
  if (v instanceof Float64) return v.value;
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    const kind = structKind(v);
    const obj = v as Record<string, unknown>;
    const keys = kind ? structFields(kind).map((f) => f.toLowerCase()) : Object.keys(obj);
    const out: Record<string, unknown> = {};
    if (kind) structFields(kind).forEach((f, i) => (out[keys[i]!] = plain(obj[f])));
    else for (const k of keys) out[k] = plain(obj[k]);
    return out;
  }
  return v;
}

export function toYAML(v: unknown): string {
  const text = stringify(plain(v), {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    defaultStringType: "PLAIN",
    defaultKeyType: "PLAIN",
    nullStr: "null",
  });
  return text.replace(/^[\s]+|[\s]+$/g, "");
}
