/**
 * parseBool/Int/Uint/Float/JSON/YAML with Go's strconv and encoding/json
 * results: parseJSON numbers are float64 (so 1000000 prints as 1e+06, as in
 * Vault Agent). Error messages never repeat the input, which may be secret.
 */
import { parse as parseYamlText } from "yaml";
import { FunctionError } from "./types.ts";
import { Float64 } from "./values.ts";
import { setOwn } from "../../../shared/own.ts";
import { parseJson } from "../../../shared/json.ts";

const BOOLS: Record<string, boolean> = {
  "1": true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  "0": false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

export function parseBool(s: string): boolean {
  if (s === "") return false;
  const v = BOOLS[s];
  if (v === undefined) throw new FunctionError("parseBool: strconv.ParseBool: invalid syntax");
  return v;
}

function parseInteger(s: string, fn: string, unsigned: boolean): number | bigint {
  if (s === "") return 0;
  const goFn = unsigned ? "strconv.ParseUint" : "strconv.ParseInt";
  if (!(unsigned ? /^\+?\d+$/ : /^[+-]?\d+$/).test(s))
    throw new FunctionError(`${fn}: ${goFn}: invalid syntax`);
  const n = BigInt(s);
  const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (n < min || n > max) throw new FunctionError(`${fn}: ${goFn}: value out of range`);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : n;
}

export const parseInt = (s: string): number | bigint => parseInteger(s, "parseInt", false);
export const parseUint = (s: string): number | bigint => parseInteger(s, "parseUint", true);

const FLOAT =
  /^[+-]?(\d[\d_]*\.?[\d_]*([eE][+-]?\d+)?|\.\d[\d_]*([eE][+-]?\d+)?|inf|infinity|nan)$/i;

export function parseFloat(s: string): Float64 {
  if (s === "") return new Float64(0);
  if (!FLOAT.test(s) || /_/.test(s))
    throw new FunctionError("parseFloat: strconv.ParseFloat: invalid syntax");
  const lower = s.toLowerCase().replace(/^\+/, "");
  if (lower.endsWith("inf") || lower.endsWith("infinity"))
    return new Float64(lower.startsWith("-") ? -Infinity : Infinity);
  if (lower.endsWith("nan")) return new Float64(NaN);
  const n = Number(s);
  if (!Number.isFinite(n))
    throw new FunctionError("parseFloat: strconv.ParseFloat: value out of range");
  return new Float64(n);
}

/** Numbers become Go float64 values, as json.Unmarshal into interface{} makes them. */
function toGo(v: unknown): unknown {
  if (typeof v === "number") return new Float64(v);
  if (Array.isArray(v)) return v.map(toGo);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, toGo(x));
    return out;
  }
  return v;
}

export function parseJSON(s: string): unknown {
  if (s === "") return {};
  try {
    return toGo(parseJson(s));
  } catch {
    throw new FunctionError("invalid JSON");
  }
}

function yamlToGo(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? v : new Float64(v);
  if (Array.isArray(v)) return v.map(yamlToGo);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, yamlToGo(x));
    return out;
  }
  return v;
}

export function parseYAML(s: string): unknown {
  if (s === "") return {};
  try {
    return yamlToGo(parseYamlText(s, { version: "1.1" }));
  } catch {
    throw new FunctionError("invalid YAML");
  }
}
