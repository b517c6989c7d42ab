/**
 * Sprig's integer math: every operand goes through cast.ToInt64 (so "3",
 * 3.9 and true are 3, 3 and 1; text that is not a number is 0) and results
 * are Go int64 values, wrapping on overflow as Go does.
 */
import { FunctionError } from "../types.ts";
import { Float64 } from "../values.ts";
import { narrow, strval, toFloat64, toInt64 } from "./convert.ts";

const wrap = (n: bigint): bigint => BigInt.asIntN(64, n);

export const add = (...v: unknown[]): bigint =>
  wrap(v.reduce<bigint>((a, b) => a + toInt64(b), 0n));
export const add1 = (v: unknown): bigint => wrap(toInt64(v) + 1n);
export const sub = (a: unknown, b: unknown): bigint => wrap(toInt64(a) - toInt64(b));
export const mul = (a: unknown, ...v: unknown[]): bigint =>
  v.reduce<bigint>((acc, b) => wrap(acc * toInt64(b)), toInt64(a));

function divisor(b: unknown): bigint {
  const d = toInt64(b);
  if (d === 0n) throw new FunctionError("runtime error: integer divide by zero");
  return d;
}

/** Go's integer division truncates toward zero, as BigInt's does. */
export const div = (a: unknown, b: unknown): bigint => wrap(toInt64(a) / divisor(b));
export const mod = (a: unknown, b: unknown): bigint => toInt64(a) % divisor(b);

export function max(a: unknown, ...v: unknown[]): bigint {
  return v.map(toInt64).reduce((m, x) => (x > m ? x : m), toInt64(a));
}

export function min(a: unknown, ...v: unknown[]): bigint {
  return v.map(toInt64).reduce((m, x) => (x < m ? x : m), toInt64(a));
}

/** strconv.Atoi with the error ignored: 0 for anything but a decimal integer. */
export function atoi(s: string): number | bigint {
  if (!/^[+-]?\d+$/.test(s)) return 0;
  const n = BigInt(s);
  return n < -(2n ** 63n) || n > 2n ** 63n - 1n ? 0 : narrow(n);
}

export const int = (v: unknown): number | bigint => narrow(toInt64(v));
export const int64 = (v: unknown): bigint => toInt64(v);
export const float64 = (v: unknown): Float64 => toFloat64(v);
export const floor = (v: unknown): Float64 => new Float64(Math.floor(toFloat64(v).value));
export const ceil = (v: unknown): Float64 => new Float64(Math.ceil(toFloat64(v).value));

/** toDecimal: the value's `%v` text read as octal (Unix permissions), 0 when it is not. */
export function toDecimal(v: unknown): bigint {
  const m = /^([+-]?)([0-7]+)$/.exec(strval(v));
  if (!m) return 0n;
  const n = BigInt(`0o${m[2]}`) * (m[1] === "-" ? -1n : 1n);
  return n < -(2n ** 63n) || n > 2n ** 63n - 1n ? 0n : n;
}
