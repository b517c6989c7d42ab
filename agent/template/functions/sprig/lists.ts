/**
 * Sprig's list functions. A list is any Go slice; anything else fails with
 * Sprig's "Cannot VERB on type KIND" (the plain and `must` variants fail the
 * same way in a template: Sprig's plain variants panic, and Go's template
 * engine turns the panic into the same error).
 */
import { FunctionError } from "../types.ts";
import { deepEqual, empty, kindOfNonNil, toInt } from "./convert.ts";
import { checkItems } from "./limits.ts";

function asList(v: unknown, verb: string): readonly unknown[] {
  const kind = kindOfNonNil(v);
  if (!Array.isArray(v)) throw new FunctionError(`Cannot ${verb} on type ${kind}`);
  return v;
}

export const list = (...items: unknown[]): unknown[] => items;

export const push = (l: unknown, v: unknown): unknown[] => [...asList(l, "push"), v];
export const prepend = (l: unknown, v: unknown): unknown[] => [v, ...asList(l, "prepend")];

export function first(l: unknown): unknown {
  const a = asList(l, "find first");
  return a.length ? a[0] : null;
}

export function last(l: unknown): unknown {
  const a = asList(l, "find last");
  return a.length ? a[a.length - 1] : null;
}

export const rest = (l: unknown): unknown[] => asList(l, "find rest").slice(1);
export const initial = (l: unknown): unknown[] => asList(l, "find initial").slice(0, -1);
export const reverse = (l: unknown): unknown[] => [...asList(l, "find reverse")].reverse();

export function uniq(l: unknown): unknown[] {
  const out: unknown[] = [];
  for (const x of asList(l, "find uniq")) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
}

export const without = (l: unknown, ...omit: unknown[]): unknown[] =>
  asList(l, "find without").filter((x) => !omit.some((o) => deepEqual(x, o)));

export function has(needle: unknown, haystack: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  return asList(haystack, "find has").some((x) => deepEqual(needle, x));
}

export const compact = (l: unknown): unknown[] => asList(l, "compact").filter((x) => !empty(x));

/** slice LIST [START [END]]: Go's l[start:end] with its runtime errors. */
export function slice(l: unknown, ...indices: unknown[]): unknown[] | null {
  const kind = kindOfNonNil(l);
  if (!Array.isArray(l))
    throw new FunctionError(`list should be type of slice or array but ${kind}`);
  const n = l.length;
  if (n === 0) return null;
  const start = indices.length > 0 ? Number(toInt(indices[0])) : 0;
  const end = indices.length > 1 ? Number(toInt(indices[1])) : n;
  if (start < 0 || end < start || end > n)
    throw new FunctionError("reflect.Value.Slice: slice index out of bounds");
  return (l as unknown[]).slice(start, end);
}

export function concat(...lists: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const l of lists) {
    const kind = kindOfNonNil(l);
    if (!Array.isArray(l)) throw new FunctionError(`Cannot concat type ${kind} as list`);
    out.push(...(l as unknown[]));
  }
  return out;
}

export function chunk(size: number, l: unknown): unknown[][] {
  const kind = kindOfNonNil(l);
  if (!Array.isArray(l)) throw new FunctionError(`Cannot chunk type ${kind}`);
  const a: readonly unknown[] = l;
  // Go sizes the result from l/size and allocates a negative or absurd length
  if (size <= 0) throw new FunctionError("runtime error: makeslice: len out of range");
  const out: unknown[][] = [];
  for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
  return out;
}

/** Sprig's until/untilStep: Go `[]int` ranges. */
export function untilStep(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (step !== 0 && (stop - start) / step > 0) checkItems(Math.ceil((stop - start) / step));
  if (stop < start) {
    if (step >= 0) return out;
    for (let i = start; i > stop; i += step) out.push(i);
    return out;
  }
  if (step <= 0) return out;
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

export const until = (count: number): number[] => untilStep(0, count, count < 0 ? -1 : 1);

/** seq: the numbers of a range joined by spaces, like the seq command. */
export function seq(...p: number[]): string {
  const run = (a: number, b: number, step: number): string => untilStep(a, b, step).join(" ");
  switch (p.length) {
    case 1:
      return run(1, p[0]! + (p[0]! < 1 ? -1 : 1), p[0]! < 1 ? -1 : 1);
    case 2: {
      const step = p[1]! < p[0]! ? -1 : 1;
      return run(p[0]!, p[1]! + step, step);
    }
    case 3: {
      const [start, step, end] = p as [number, number, number];
      if (end < start && step > 0) return "";
      return run(start, end + (end < start ? -1 : 1), step);
    }
    default:
      return "";
  }
}
