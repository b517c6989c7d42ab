/**
 * Go text/template's built-in functions that templates use most (eq, ne, lt,
 * le, gt, ge, and, or, not, len, index), as Handlebars helpers, so a template
 * moved between engines keeps its logic: `{{#if (eq Data.env "prod")}}`.
 * Numbers from Vault's JSON (JsonNumber) compare by value, as in Go.
 */
import type { HelperOptions } from "handlebars";
import { JsonNumber } from "../types.ts";
import { HelperError } from "./library-helpers.ts";

type Helper = (...args: unknown[]) => unknown;

function plain(value: unknown): unknown {
  return value instanceof JsonNumber ? value.value : value;
}

/** Go's truthiness: false, 0, nil, and empty strings, lists and maps are false. */
export function truthy(value: unknown): boolean {
  const v = plain(value);
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function splitOptions(name: string, args: unknown[], min: number): [unknown[], HelperOptions] {
  const options = args[args.length - 1] as HelperOptions;
  const values = args.slice(0, -1);
  if (values.length < min) {
    throw new HelperError(name, `needs at least ${min} argument(s)`, options);
  }
  return [values, options];
}

function compare(name: string, test: (order: number) => boolean): Helper {
  return (...args) => {
    const [[a, b], options] = splitOptions(name, args, 2);
    const x = plain(a);
    const y = plain(b);
    if (typeof x !== typeof y || (typeof x !== "number" && typeof x !== "string")) {
      throw new HelperError(name, "can only compare two numbers or two strings", options);
    }
    return test(x < (y as typeof x) ? -1 : x > (y as typeof x) ? 1 : 0);
  };
}

export const builtinHelpers: Record<string, Helper> = {
  eq: (...args) => {
    const [[first, ...rest]] = splitOptions("eq", args, 2);
    return rest.some((other) => plain(other) === plain(first));
  },
  ne: (...args) => {
    const [[a, b]] = splitOptions("ne", args, 2);
    return plain(a) !== plain(b);
  },
  lt: compare("lt", (o) => o < 0),
  le: compare("le", (o) => o <= 0),
  gt: compare("gt", (o) => o > 0),
  ge: compare("ge", (o) => o >= 0),
  and: (...args) => {
    const [values] = splitOptions("and", args, 1);
    return values.find((v) => !truthy(v)) ?? values[values.length - 1];
  },
  or: (...args) => {
    const [values] = splitOptions("or", args, 1);
    return values.find((v) => truthy(v)) ?? values[values.length - 1];
  },
  not: (...args) => {
    const [[value]] = splitOptions("not", args, 1);
    return !truthy(value);
  },
  len: (...args) => {
    const [[value], options] = splitOptions("len", args, 1);
    if (typeof value === "string" || Array.isArray(value)) return value.length;
    if (value && typeof value === "object" && !(value instanceof JsonNumber)) {
      return Object.keys(value).length;
    }
    throw new HelperError("len", "needs a string, list or map", options);
  },
  index: (...args) => {
    // Handlebars resolves `{{@index}}` through a helper named `index` when
    // one exists; called without arguments, answer as the data variable would.
    if (args.length === 1) return (args[0] as HelperOptions).data?.["index"];
    const [[collection, ...keys], options] = splitOptions("index", args, 1);
    let current: unknown = collection;
    for (const key of keys) {
      const k = plain(key);
      if (Array.isArray(current) && typeof k === "number") {
        if (!Number.isInteger(k) || k < 0 || k >= current.length) {
          throw new HelperError("index", `index ${k} out of range`, options);
        }
        current = current[k];
      } else if (current && typeof current === "object" && typeof k === "string") {
        current = Object.hasOwn(current, k) ? (current as Record<string, unknown>)[k] : undefined;
      } else {
        return undefined;
      }
    }
    return current;
  },
};
