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

/** Go's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoresOK(text: string): boolean {
  let s = text.replace(/^[+-]/, "");
  let saw = "^";
  const hex = /^0[xX]/.test(s);
  if (/^0[xXbBoO]/.test(s)) {
    s = s.slice(2);
    saw = "0";
  }
  for (const c of s) {
    if (/[0-9]/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = "0";
    else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** strconv.ParseFloat's syntax: decimal, hex with a p exponent, inf/nan, `_` between digits. */
function floatText(s: string): number | undefined {
  const special = SPECIAL.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return special[1] ? undefined : NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  if (s.includes("_") && !underscoresOK(s)) return undefined;
  const t = s.replace(/_/g, "");
  if (DECIMAL.test(t)) return Number(t);
  const hex = HEX.exec(t);
  if (!hex || (hex[2] === "" && (hex[3] ?? "") === "")) return undefined;
  const frac = hex[3] ?? "";
  const mantissa = Number.parseInt((hex[2] || "0") + frac, 16);
  const value = mantissa * 2 ** (Number(hex[4]) - 4 * frac.length);
  return hex[1] === "-" ? -value : value;
}

export function parseFloat(s: string): Float64 {
  if (s === "") return new Float64(0);
  const n = floatText(s);
  if (n === undefined) throw new FunctionError("parseFloat: strconv.ParseFloat: invalid syntax");
  if (!Number.isFinite(n) && !SPECIAL.test(s))
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
