/**
 * add, subtract, multiply, divide, modulo, minimum, maximum. consul-template
 * takes the operands in pipe order (`{{ 10 | subtract 3 }}` is 7): the first
 * argument is the right operand. Ints stay ints (64-bit), a float operand
 * makes a float.
 */
import { FunctionError } from "./types.ts";
import { Float64, goTypeName, isFloat } from "./values.ts";

type Num = { int: bigint } | { float: number };

function num(v: unknown, fn: string): Num {
  if (typeof v === "bigint") return { int: v };
  if (typeof v === "number" && Number.isInteger(v)) return { int: BigInt(v) };
  if (isFloat(v)) return { float: Number(v) };
  throw new FunctionError(`${fn}: unknown type for value (${goTypeName(v)})`);
}

function intResult(n: bigint): number | bigint {
  const wrapped = BigInt.asIntN(64, n);
  return wrapped >= BigInt(Number.MIN_SAFE_INTEGER) && wrapped <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(wrapped)
    : wrapped;
}

function arith(
  fn: string,
  ints: (a: bigint, b: bigint) => bigint,
  floats: ((a: number, b: number) => number) | undefined,
) {
  return (b: unknown, a: unknown): unknown => {
    const x = num(a, fn);
    const y = num(b, fn);
    if ("int" in x && "int" in y) return intResult(ints(x.int, y.int));
    if (!floats) throw new FunctionError(`${fn}: unknown type for value (float64)`);
    const fx = "int" in x ? Number(x.int) : x.float;
    const fy = "int" in y ? Number(y.int) : y.float;
    return new Float64(floats(fx, fy));
  };
}

function checkedDiv(a: bigint, b: bigint, op: "/" | "%"): bigint {
  if (b === 0n) throw new FunctionError("runtime error: integer divide by zero");
  return op === "/" ? a / b : a % b;
}

export const add = arith(
  "add",
  (a, b) => a + b,
  (a, b) => a + b,
);
export const subtract = arith(
  "subtract",
  (a, b) => a - b,
  (a, b) => a - b,
);
export const multiply = arith(
  "multiply",
  (a, b) => a * b,
  (a, b) => a * b,
);
export const divide = arith(
  "divide",
  (a, b) => checkedDiv(a, b, "/"),
  (a, b) => a / b,
);
export const modulo = arith("modulo", (a, b) => checkedDiv(a, b, "%"), undefined);

function pick(fn: string, wantLess: boolean) {
  return (b: unknown, a: unknown): unknown => {
    const x = num(a, fn);
    const y = num(b, fn);
    const fx = "int" in x ? Number(x.int) : x.float;
    const fy = "int" in y ? Number(y.int) : y.float;
    const aWins =
      "int" in x && "int" in y
        ? wantLess
          ? x.int < y.int
          : x.int > y.int
        : wantLess
          ? fx < fy
          : fx > fy;
    return aWins ? a : b;
  };
}

export const minimum = pick("minimum", true);
export const maximum = pick("maximum", false);
