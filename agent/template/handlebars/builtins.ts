/**
 * Go text/template's predefined functions as Handlebars helpers, so logic
 * moves between engines unchanged: `{{#if (eq Data.env "prod")}}`,
 * `{{printf "%s:%d" host 5432}}`, `{{index Data.data "api-key"}}`. They are
 * the Go engine's own functions (agent/template/go/builtins.ts and fmt.ts),
 * with Go's rules: comparing a number from Vault's JSON (a json.Number, a
 * string kind) with a number literal is an error, as in Vault Agent.
 * `and` and `or` return the deciding argument with Go's notion of truth.
 */
import type { HelperOptions } from "handlebars";
import { eq, ge, gt, index, le, len, lt, not, slice, truth } from "../go/builtins.ts";
import { sprint, sprintf, sprintln } from "../go/fmt.ts";
import { HelperError } from "./library-helpers.ts";

type Helper = (...args: unknown[]) => unknown;

/** A Go builtin over the helper's arguments (the trailing options object removed). */
function wrap(name: string, min: number, fn: (...values: unknown[]) => unknown): Helper {
  return (...args) => {
    const options = args[args.length - 1] as HelperOptions;
    const values = args.slice(0, -1);
    if (values.length < min) {
      throw new HelperError(
        name,
        `wrong number of arguments: want at least ${min}, got ${values.length}`,
        options,
      );
    }
    try {
      return fn(...values);
    } catch (err) {
      throw new HelperError(name, err instanceof Error ? err.message : String(err), options);
    }
  };
}

export const builtinHelpers: Record<string, Helper> = {
  eq: wrap("eq", 2, (a, ...rest) => eq(a, ...rest)),
  ne: wrap("ne", 2, (a, b) => !eq(a, b)),
  lt: wrap("lt", 2, (a, b) => lt(a, b)),
  le: wrap("le", 2, (a, b) => le(a, b)),
  gt: wrap("gt", 2, (a, b) => gt(a, b)),
  ge: wrap("ge", 2, (a, b) => ge(a, b)),
  not: wrap("not", 1, (v) => not(v)),
  and: wrap("and", 1, (...values) => values.find((v) => !truth(v)) ?? values[values.length - 1]),
  or: wrap("or", 1, (...values) => values.find((v) => truth(v)) ?? values[values.length - 1]),
  len: wrap("len", 1, (v) => len(v)),
  slice: wrap("slice", 1, (item, ...indexes) => slice(item, ...indexes)),
  printf: wrap("printf", 1, (format, ...values) => sprintf(String(format), values)),
  print: wrap("print", 0, (...values) => sprint(values)),
  println: wrap("println", 0, (...values) => sprintln(values)),
  index: (...args) => {
    // Handlebars resolves `{{@index}}` through a helper named `index` when
    // one exists; called without arguments, answer as the data variable would.
    if (args.length === 1) return (args[0] as HelperOptions).data?.["index"];
    return wrap("index", 1, (item, ...keys) => index(item, ...keys))(...args);
  },
};
