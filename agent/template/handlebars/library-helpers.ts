/**
 * The function library (agent/template/functions) as Handlebars helpers:
 * `secret`, `secrets`, `pkiCert`, `env`, `toJSON`, `base64Encode`, ... are the
 * very functions the Go engine calls, bound to the render, so both engines
 * discover, record and resolve secrets the same way. A secret the store has
 * not fetched yet is recorded as missing and comes back as an empty
 * placeholder, so one pass finds every missing secret it can.
 *
 * Go:          {{ with secret "kv/data/app" }}{{ .Data.data.password }}{{ end }}
 * Handlebars:  {{#with (secret "kv/data/app")}}{{Data.data.password}}{{/with}}
 *
 * `k=v` arguments may be written Go-style (`"common_name=a.example.com"`) or
 * as Handlebars hash arguments (`common_name="a.example.com"`).
 */
import type { HelperOptions } from "handlebars";
import { FUNCTION_NAMES } from "../functions/index.ts";
import type { ParamType, TemplateFunction } from "../functions/types.ts";
import { isMissing, MISSING } from "../functions/values.ts";
import { JsonNumber } from "../types.ts";
import type { PkiCertValue } from "../types.ts";
import type { RenderState } from "./render-state.ts";

/** A helper misuse the engine reports with the call's line and column. */
export class HelperError extends Error {
  readonly helper: string;
  readonly options: HelperOptions | undefined;
  constructor(helper: string, message: string, options: HelperOptions | undefined) {
    super(message);
    this.name = "HelperError";
    this.helper = helper;
    this.options = options;
  }
}

/** Thrown when an argument is still unknown because a secret is missing. */
class Unresolved extends Error {}

/** Functions taking `k=v` arguments, which may also come as hash arguments. */
const KEY_VALUE_FUNCTIONS = new Set(["secret", "pkiCert"]);

/** Library names, in the order they are registered. */
export const LIBRARY_NAMES: readonly string[] = FUNCTION_NAMES;

/**
 * Handlebars values into what a library function with Go parameter types
 * expects: numbers from Vault's JSON become strings or numbers as the
 * parameter asks; an empty value is an error unless a secret is missing
 * (then the path it would build is simply not known yet).
 */
function convert(
  name: string,
  value: unknown,
  type: ParamType,
  index: number,
  state: RenderState,
  options: HelperOptions,
): unknown {
  if (value === undefined || value === null || isMissing(value)) {
    if (state.hasMissing) throw new Unresolved();
    if (type === "any" || type === "map" || type === "[]any" || type === "[]string") return value;
    throw new HelperError(name, `argument ${index + 1} is empty (no value)`, options);
  }
  if (type === "string") {
    if (typeof value === "string") return value;
    if (value instanceof JsonNumber) return value.text;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new HelperError(name, `argument ${index + 1} must be a string`, options);
  }
  if (type === "int" || type === "uint32" || type === "float") {
    const n = value instanceof JsonNumber ? value.value : value;
    const whole = type !== "float";
    if (typeof n !== "number" || (whole && !Number.isInteger(n)) || (type === "uint32" && n < 0)) {
      throw new HelperError(name, `argument ${index + 1} must be a number`, options);
    }
    return n;
  }
  return value;
}

function hashPairs(options: HelperOptions): string[] {
  const hash = (options.hash ?? {}) as Record<string, unknown>;
  return Object.keys(hash)
    .sort()
    .map((k) => {
      const v = hash[k];
      return `${k}=${v instanceof JsonNumber ? v.text : String(v)}`;
    });
}

/**
 * pkiCert's value with `.Data` answering like the Go engine's (the PEM
 * fields), so `{{Data.Cert}}` and `{{Cert}}` both work as in Vault Agent.
 */
function pkiView(value: PkiCertValue): PkiCertValue {
  const pem = { Cert: value.Cert, Key: value.Key, CA: value.CA, CAChain: value.CAChain };
  return { ...pem, Data: pem };
}

export function callLibrary(
  name: string,
  state: RenderState,
  args: unknown[],
  options: HelperOptions,
): unknown {
  const fn: TemplateFunction | undefined = state.functions[name];
  if (!fn) throw new HelperError(name, "is not in the function library", options);
  if (KEY_VALUE_FUNCTIONS.has(name)) args.push(...hashPairs(options));
  else if (Object.keys(options.hash ?? {}).length) {
    throw new HelperError(name, "takes no key=value (hash) arguments", options);
  }
  const min = fn.params.length;
  if (args.length < min || (!fn.variadic && args.length > min)) {
    const want = fn.variadic ? `at least ${min}` : String(min);
    throw new HelperError(
      name,
      `wrong number of arguments: want ${want}, got ${args.length}`,
      options,
    );
  }
  let converted: unknown[];
  try {
    converted = args.map((a, i) =>
      convert(name, a, (fn.params[i] ?? fn.variadic) as ParamType, i, state, options),
    );
  } catch (err) {
    if (err instanceof Unresolved) return MISSING;
    throw err;
  }
  let result: unknown;
  try {
    result = (fn.fn as (...a: unknown[]) => unknown)(...converted);
  } catch (err) {
    if (err instanceof HelperError) throw err;
    throw new HelperError(name, err instanceof Error ? err.message : String(err), options);
  }
  if (name === "pkiCert" && result && !isMissing(result)) return pkiView(result as PkiCertValue);
  return result;
}
