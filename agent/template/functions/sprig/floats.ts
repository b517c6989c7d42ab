/**
 * Sprig's float math. addf, subf, mulf and divf work in exact decimals
 * (shopspring/decimal): each operand is cast.ToFloat64'd, taken as its
 * shortest decimal form, combined exactly (division rounded half away from
 * zero at 16 places) and the result read back as the nearest float64.
 * maxf, minf and round work on float64 as Go's math package does.
 */
import { FunctionError } from "../types.ts";
import { Float64, formatFloatV, shortestDigits } from "../values.ts";
import { toFloat64 } from "./convert.ts";

/** coefficient × 10^exponent */
interface Decimal {
  c: bigint;
  e: number;
}

const DIVISION_PRECISION = 16;

function fromFloat(v: unknown): Decimal {
  const f = toFloat64(v).value;
  if (!Number.isFinite(f))
    throw new FunctionError(`Cannot create a Decimal from ${formatFloatV(f)}`);
  if (f === 0) return { c: 0n, e: 0 };
  const { neg, digits, exp } = shortestDigits(f);
  const c = BigInt(digits);
  return { c: neg ? -c : c, e: exp - (digits.length - 1) };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.c * pow10(a.e - e), b.c * pow10(b.e - e), e];
}

const add = (a: Decimal, b: Decimal): Decimal => {
  const [x, y, e] = align(a, b);
  return { c: x + y, e };
};
const sub = (a: Decimal, b: Decimal): Decimal => add(a, { c: -b.c, e: b.e });
const mul = (a: Decimal, b: Decimal): Decimal => ({ c: a.c * b.c, e: a.e + b.e });

function div(a: Decimal, b: Decimal): Decimal {
  if (b.c === 0n) throw new FunctionError("decimal division by 0");
  const k = a.e - b.e + DIVISION_PRECISION;
  const num = k >= 0 ? a.c * pow10(k) : a.c;
  const den = k >= 0 ? b.c : b.c * pow10(-k);
  let q = num / den;
  const rem = num - q * den;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  if (2n * abs(rem) >= abs(den)) q += num < 0n !== den < 0n ? -1n : 1n;
  return { c: q, e: -DIVISION_PRECISION };
}

/** The nearest float64 to the exact decimal (JS parses decimal text correctly rounded). */
const toFloat = (d: Decimal): Float64 => new Float64(Number(`${d.c}e${d.e}`) + 0);

function decimalOp(
  op: (a: Decimal, b: Decimal) => Decimal,
): (first: unknown, ...rest: unknown[]) => Float64 {
  return (first, ...rest) => toFloat(rest.map(fromFloat).reduce(op, fromFloat(first)));
}

export const add1f = (v: unknown): Float64 => decimalOp(add)(v, 1);
export const addf = (...v: unknown[]): Float64 => decimalOp(add)(0, ...v);
export const subf = decimalOp(sub);
export const mulf = decimalOp(mul);
export const divf = decimalOp(div);

export const maxf = (a: unknown, ...v: unknown[]): Float64 =>
  new Float64(v.reduce<number>((m, x) => Math.max(m, toFloat64(x).value), toFloat64(a).value));
export const minf = (a: unknown, ...v: unknown[]): Float64 =>
  new Float64(v.reduce<number>((m, x) => Math.min(m, toFloat64(x).value), toFloat64(a).value));

/** round VALUE PLACES [ROUND_ON]: ceil when the fraction at PLACES reaches ROUND_ON (0.5), else floor. */
export function round(v: unknown, places: number, ...roundOn: number[]): Float64 {
  const on = roundOn.length > 0 ? roundOn[0]! : 0.5;
  const pow = Math.pow(10, places);
  const digit = pow * toFloat64(v).value;
  const frac = digit % 1;
  return new Float64((frac >= on ? Math.ceil(digit) : Math.floor(digit)) / pow);
}
