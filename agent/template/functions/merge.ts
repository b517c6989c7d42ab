/**
 * mergeMap / mergeMapWithOverride (consul-template, via mergo): fill the
 * first map's missing or empty keys from the second, merging nested maps;
 * with override the second map's values win. A new map is returned; the
 * inputs (which may be the secrets store's data) are never modified.
 */
import { JsonNumber, isMap } from "./values.ts";
import { getOwn, setOwn } from "../../../shared/own.ts";

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v === "";
  if (typeof v === "number") return v === 0;
  if (typeof v === "boolean") return !v;
  if (v instanceof JsonNumber) return v.text === "";
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

export function mergeMaps(
  dst: Record<string, unknown> | null,
  src: Record<string, unknown> | null,
  override: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(dst ?? {}) };
  for (const [k, s] of Object.entries(src ?? {})) {
    const d = getOwn(out, k);
    if (isMap(d) && isMap(s)) setOwn(out, k, mergeMaps(d, s, override));
    else if (s === null || s === undefined) continue;
    else if (override || !Object.hasOwn(out, k) || isEmpty(d)) setOwn(out, k, s);
  }
  return out;
}
