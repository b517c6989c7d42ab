/**
 * go-sockaddr's `sort`: a chain of comparisons, each of which may defer to
 * the next (addresses of different families mostly defer). Go's sort.Sort
 * runs an insertion sort on up to 12 items, and with deferring comparisons
 * the result depends on that algorithm, so the same insertion sort runs
 * here (for longer lists Go switches algorithm; see the function reference).
 */
import { goQuote } from "../../go/fmt.ts";
import { FunctionError } from "../types.ts";
import type { IfAddr } from "./ifaddr.ts";
import { isRfc } from "./rfc.ts";

/** -1: a first, 1: b first, 0: defer to the next comparison */
export type Compare = (a: IfAddr, b: IfAddr) => number;

const sign = (n: bigint | number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

const byAddress: Compare = (a, b) =>
  a.ip.family === b.ip.family ? sign(a.ip.value - b.ip.value) : 0;

const bySize: Compare = (a, b) => (a.ip.family === b.ip.family ? sign(a.ip.bits - b.ip.bits) : 0);

const byType: Compare = (a, b) => sign(a.ip.family - b.ip.family);

const byName: Compare = (a, b) =>
  a.iface.name < b.iface.name ? -1 : a.iface.name > b.iface.name ? 1 : 0;

/** Private (RFC 6890) first; against the other family only a private receiver decides. */
const byPrivate: Compare = (a, b) => {
  const aIn = isRfc(6890, a.ip);
  if (a.ip.family !== b.ip.family) return aIn ? -1 : 0;
  const bIn = isRfc(6890, b.ip);
  return aIn === bIn ? 0 : aIn ? -1 : 1;
};

/** Addresses on the default route's interface first; without a default route, no decision. */
export function byDefault(defaultName: string | undefined): Compare {
  return (a, b) => {
    if (defaultName === undefined) return 0;
    const aDef = a.iface.name === defaultName;
    const bDef = b.iface.name === defaultName;
    return aDef === bDef ? 0 : aDef ? -1 : 1;
  };
}

function comparison(clause: string, defaultName: string | undefined): Compare | undefined {
  const key = clause.trim().toLowerCase();
  const desc = key.startsWith("-");
  const name = key.replace(/^[+-]/, "");
  const table: Record<string, Compare> = {
    address: byAddress,
    default: byDefault(defaultName),
    name: byName,
    port: () => 0,
    private: byPrivate,
    size: bySize,
    type: byType,
  };
  const base = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!base) return undefined;
  return desc ? (a, b) => -base(a, b) : base;
}

/** Go's multi-key Less: the first comparison that decides wins. */
function less(compares: readonly Compare[], a: IfAddr, b: IfAddr): boolean {
  for (const c of compares) {
    const r = c(a, b);
    if (r !== 0) return r < 0;
  }
  return false;
}

export function sortWith(compares: readonly Compare[], addrs: readonly IfAddr[]): IfAddr[] {
  const out = [...addrs];
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(compares, out[j]!, out[j - 1]!); j--)
      [out[j], out[j - 1]] = [out[j - 1]!, out[j]!];
  }
  return out;
}

/** `sort "default,type,size"` and the like. */
export function sortBy(
  param: string,
  addrs: readonly IfAddr[],
  defaultName: string | undefined,
): IfAddr[] {
  const compares = param.split(",").map((clause) => {
    const c = comparison(clause, defaultName);
    if (!c) throw new FunctionError(`unknown sort type: ${goQuote(clause)}`);
    return c;
  });
  return sortWith(compares, addrs);
}

export const SORT = { byAddress, bySize, byType, byPrivate };
