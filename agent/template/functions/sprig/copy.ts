/**
 * Sprig's deepCopy (copystructure.Copy): new maps and lists all the way
 * down, so `sprig_set` on the copy leaves the original alone. A nil value
 * cannot be copied; Go reports reflect's panic.
 */
import { setOwn } from "../../../../shared/own.ts";
import { FunctionError } from "../types.ts";
import { isMap, isStringSlice, stringSlice } from "../values.ts";

function copy(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(copy);
    return isStringSlice(v) ? stringSlice(out as string[]) : out;
  }
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, copy(x));
    return out;
  }
  return v;
}

export function deepCopy(v: unknown): unknown {
  if (v === null || v === undefined)
    throw new FunctionError("reflect: call of reflect.Value.Type on zero Value");
  return copy(v);
}
