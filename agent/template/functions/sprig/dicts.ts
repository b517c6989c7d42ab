/**
 * Sprig's dict functions on Go's map[string]interface{}. `set` and `unset`
 * change the map they are given, as in Go. Go iterates maps in random order,
 * so `keys` and `values` have no order a template can rely on; vaultlet
 * returns them in key order (templates sort them with `sprig_sortAlpha`).
 */
import { getOwn, setOwn } from "../../../../shared/own.ts";
import { FunctionError } from "../types.ts";
import { goTypeName, isMap, sortedKeys, stringSlice } from "../values.ts";
import { strval } from "./convert.ts";

type Dict = Record<string, unknown>;

export function dict(...kv: unknown[]): Dict {
  const out: Dict = {};
  for (let i = 0; i < kv.length; i += 2) {
    setOwn(out, strval(kv[i]), i + 1 < kv.length ? kv[i + 1] : "");
  }
  return out;
}

const own = (d: Dict | null, k: string): boolean => d !== null && Object.hasOwn(d, k);

export const get = (d: Dict | null, key: string): unknown => (own(d, key) ? getOwn(d!, key) : "");

export function set(d: Dict | null, key: string, value: unknown): Dict {
  if (d === null) throw new FunctionError("assignment to entry in nil map");
  setOwn(d, key, value);
  return d;
}

export function unset(d: Dict | null, key: string): Dict | null {
  if (d !== null) delete d[key];
  return d;
}

export const hasKey = (d: Dict | null, key: string): boolean => own(d, key);

export const pluck = (key: string, ...dicts: (Dict | null)[]): unknown[] =>
  dicts.filter((d) => own(d, key)).map((d) => getOwn(d!, key));

export const keys = (...dicts: (Dict | null)[]): string[] =>
  stringSlice(dicts.flatMap((d) => (d ? sortedKeys(d) : [])));

export const values = (d: Dict | null): unknown[] => (d ? sortedKeys(d).map((k) => d[k]) : []);

export function pick(d: Dict | null, ...names: string[]): Dict {
  const out: Dict = {};
  for (const k of names) if (own(d, k)) setOwn(out, k, getOwn(d!, k));
  return out;
}

export function omit(d: Dict | null, ...names: string[]): Dict {
  const out: Dict = {};
  for (const k of d ? Object.keys(d) : []) if (!names.includes(k)) setOwn(out, k, d![k]);
  return out;
}

function assertion(v: unknown, want: string): FunctionError {
  const got = v === null || v === undefined ? "nil" : goTypeName(v);
  return new FunctionError(`interface conversion: interface {} is ${got}, not ${want}`);
}

/** dig KEY... DEFAULT DICT: walk nested maps; the default when a key is absent. */
export function dig(...args: unknown[]): unknown {
  if (args.length < 3) throw new FunctionError("dig needs at least three arguments");
  let cur = args[args.length - 1];
  const fallback = args[args.length - 2];
  const path = args.slice(0, -2).map((k) => {
    if (typeof k !== "string") throw assertion(k, "string");
    return k;
  });
  for (const k of path) {
    if (!isMap(cur)) throw assertion(cur, "map[string]interface {}");
    if (!Object.hasOwn(cur, k)) return fallback;
    cur = cur[k];
  }
  return cur;
}
