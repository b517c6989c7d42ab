/**
 * Sprig's merge and mergeOverwrite (mergo v0.3 on map[string]interface{}):
 * the first dict is changed in place and returned, as in Go, so a template
 * may ignore the result. Rules, key by key: a nil source value is skipped
 * (with overwrite it replaces); nested maps merge into the destination's
 * map; a destination value that is set (not Go's zero value) keeps its
 * place against a source list unless overwriting; otherwise the source value
 * is taken when overwriting or when the destination is unset (Go's zero value).
 */
import { setOwn } from "../../../../shared/own.ts";
import { isMap } from "../values.ts";
import { empty } from "./convert.ts";

type Dict = Record<string, unknown>;

function mergeInto(dst: Dict, src: Dict, overwrite: boolean): void {
  for (const key of Object.keys(src)) {
    const s = src[key];
    const has = Object.hasOwn(dst, key);
    const d = has ? dst[key] : undefined;
    if (s === null || s === undefined) {
      if (overwrite) setOwn<unknown>(dst, key, null);
      continue;
    }
    if (isMap(s) && isMap(d)) mergeInto(d, s, overwrite);
    // mergo puts back the destination's list (or the source's, when overwriting)
    if (Array.isArray(s) && (overwrite || Object.keys(dst).length === 0))
      setOwn<unknown>(dst, key, s);
    else if (Array.isArray(s)) setOwn<unknown>(dst, key, d === null || d === undefined ? [] : d);
    if (has && !empty(d) && (Array.isArray(s) || (isMap(s) && isMap(d)))) continue;
    if (overwrite || !has || empty(d)) setOwn<unknown>(dst, key, s);
  }
}

function mergeAll(overwrite: boolean): (dst: Dict | null, ...srcs: (Dict | null)[]) => Dict {
  return (dst, ...srcs) => {
    const out = dst ?? {};
    for (const src of srcs) if (src) mergeInto(out, src, overwrite);
    return out;
  };
}

export const merge = mergeAll(false);
export const mergeOverwrite = mergeAll(true);
