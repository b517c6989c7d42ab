/** Sprig's defaults, flow control, JSON and reflection helpers. */
import { marshal } from "../json.ts";
import { parseJSON } from "../parse.ts";
import { FunctionError } from "../types.ts";
import { goTypeName } from "../values.ts";
import { deepEqual, empty, kindName } from "./convert.ts";
import { checkJsonSyntax } from "./json-syntax.ts";

export const dfault = (d: unknown, ...given: unknown[]): unknown =>
  given.length === 0 || empty(given[0]) ? d : given[0];

export const coalesce = (...v: unknown[]): unknown => v.find((x) => !empty(x)) ?? null;
export const all = (...v: unknown[]): boolean => v.every((x) => !empty(x));
export const any = (...v: unknown[]): boolean => v.some((x) => !empty(x));
export const ternary = (vt: unknown, vf: unknown, v: boolean): unknown => (v ? vt : vf);

export function fail(message: string): never {
  throw new FunctionError(message);
}

/** json.Marshal; a value JSON cannot hold (NaN, ±Inf) fails in the must variants and toRawJson. */
export const mustToJson = (v: unknown): string => marshal(v);
export const mustToPrettyJson = (v: unknown): string => marshal(v, { indent: "  " });
export const toRawJson = (v: unknown): string => marshal(v, { escapeHTML: false });

/** Sprig's toJson and toPrettyJson ignore the error and give "". */
function orEmpty(f: (v: unknown) => string): (v: unknown) => string {
  return (v) => {
    try {
      return f(v);
    } catch {
      return "";
    }
  };
}
export const toJson = orEmpty(mustToJson);
export const toPrettyJson = orEmpty(mustToPrettyJson);

/** json.Unmarshal into interface{}: Go's syntax error, or the value (numbers as float64). */
export function mustFromJson(s: string): unknown {
  checkJsonSyntax(s);
  return parseJSON(s);
}

export function fromJson(s: string): unknown {
  try {
    return s === "" ? null : parseJSON(s);
  } catch {
    return null;
  }
}

export const typeOf = (v: unknown): string => goTypeName(v);
export const typeIs = (target: string, v: unknown): boolean => target === typeOf(v);
export const typeIsLike = (target: string, v: unknown): boolean =>
  target === typeOf(v) || `*${target}` === typeOf(v);
export const kindOf = (v: unknown): string => kindName(v);
export const kindIs = (target: string, v: unknown): boolean => target === kindOf(v);
export { deepEqual };
