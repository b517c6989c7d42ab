/**
 * consul-template's `loop` and `hmacSHA256Hex`. `loop` yields Go int64
 * values from start (0 with one argument) up to, not including, stop; each
 * bound is an integer or a decimal string. Go returns a channel for range to
 * drain; a list of the same values ranges and prints the same way.
 */
import { createHmac } from "node:crypto";
import { parseInt } from "./parse.ts";
import { FunctionError } from "./types.ts";
import { goTypeName, JsonNumber } from "./values.ts";

function bound(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" || v instanceof JsonNumber)
    return BigInt(parseInt(typeof v === "string" ? v : v.text));
  throw new FunctionError(`loop: bad argument type: ${goTypeName(v)}`);
}

/** Go streams the values through a channel; vaultlet builds the list, so its length is capped to bound memory. */
const MAX_ITEMS = 1_000_000n;

export function loop(...args: unknown[]): bigint[] {
  if (args.length !== 1 && args.length !== 2)
    throw new FunctionError(
      `loop: wrong number of arguments, expected 1 or 2, but got ${args.length}`,
    );
  const start = args.length === 1 ? 0n : bound(args[0]);
  const stop = bound(args[args.length - 1]);
  if (stop - start > MAX_ITEMS)
    throw new FunctionError(`loop: more than ${MAX_ITEMS} values (${start} to ${stop})`);
  const out: bigint[] = [];
  for (let n = start; n < stop; n++) out.push(n);
  return out;
}

export const hmacSHA256Hex = (message: string, key: string): string =>
  createHmac("sha256", key).update(message, "utf8").digest("hex");
