/**
 * consul-template's `scratch`: a per-render notepad with methods Key, Get,
 * Set, SetX, MapSet, MapSetX and MapValues (map values sorted by key).
 */
import { define, FunctionError } from "./types.ts";
import { METHODS, sortedKeys, type MethodTable } from "./values.ts";

export interface Scratch {
  readonly [METHODS]: MethodTable;
}

export function createScratch(): Scratch {
  const values = new Map<string, unknown>();
  const mapSet = (k: string, mk: string, v: unknown, overwrite: boolean): string => {
    if (!values.has(k)) values.set(k, {});
    const m = values.get(k);
    if (typeof m !== "object" || m === null || Array.isArray(m))
      throw new FunctionError(`${JSON.stringify(k)} is not a map`);
    const typed = m as Record<string, unknown>;
    if (overwrite || !(mk in typed)) typed[mk] = v;
    return "";
  };
  const S = "string" as const;
  const A = "any" as const;
  return {
    [METHODS]: {
      Key: define([S], (k: string) => values.has(k)),
      Get: define([S], (k: string) => (values.has(k) ? values.get(k) : null)),
      Set: define([S, A], (k: string, v: unknown) => {
        values.set(k, v);
        return "";
      }),
      SetX: define([S, A], (k: string, v: unknown) => {
        if (!values.has(k)) values.set(k, v);
        return "";
      }),
      MapSet: define([S, S, A], (k: string, mk: string, v: unknown) => mapSet(k, mk, v, true)),
      MapSetX: define([S, S, A], (k: string, mk: string, v: unknown) => mapSet(k, mk, v, false)),
      MapValues: define([S], (k: string) => {
        const m = values.get(k);
        if (typeof m !== "object" || m === null || Array.isArray(m)) return [];
        const typed = m as Record<string, unknown>;
        return sortedKeys(typed).map((x) => typed[x]);
      }),
    },
  };
}
