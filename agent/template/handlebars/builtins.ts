/**
 * Go text/template's predefined functions as Handlebars helpers, so logic
 * moves between engines unchanged: `{{#if (eq Data.env "prod")}}`,
 * `{{printf "%s:%d" host 5432}}`, `{{index Data.data "api-key"}}`. They are
 * the Go engine's own functions (agent/template/go/builtins.ts and fmt.ts),
 * with Go's rules: comparing a number from Vault's JSON (a json.Number, a
 * string kind) with a number literal is an error, as in Vault Agent.
 * `and` and `or` return the deciding argument with Go's notion of truth.
 *
 * While a secret is still missing, an argument that is empty because of it
 * (a path built with printf from another secret's field) makes the helper
 * return the missing placeholder instead of a value built from nothing, so
 * no bogus secret path is ever recorded.
 */
import type { HelperOptions } from "handlebars";
import { eq, ge, gt, index, le, len, lt, not, slice, truth } from "../go/builtins.ts";
import { sprint, sprintf, sprintln } from "../go/fmt.ts";
import { isMissing, MISSING } from "../functions/values.ts";
import { HelperError } from "./library-helpers.ts";

type Helper = (...args: unknown[]) => unknown;

/** A Go builtin over the helper's arguments (the trailing options object removed). */
function wrap(
  name: string,
  min: number,
  fn: (...values: unknown[]) => unknown,
  hasMissing: () => boolean,
): Helper {
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
    if (values.some((v) => v === undefined || isMissing(v)) && hasMissing()) return MISSING;
    try {
      return fn(...values);
    } catch (err) {
      throw new HelperError(name, err instanceof Error ? err.message : String(err), options);
    }
  };
}

/** The builtins; `hasMissing` tells whether the current render is missing a secret. */
export function createBuiltinHelpers(hasMissing: () => boolean): Record<string, Helper> {
  const w = (name: string, min: number, fn: (...values: unknown[]) => unknown) =>
    wrap(name, min, fn, hasMissing);
  const indexHelper = w("index", 1, (item, ...keys) => index(item, ...keys));
  return {
    eq: w("eq", 2, (a, ...rest) => eq(a, ...rest)),
    ne: w("ne", 2, (a, b) => !eq(a, b)),
    lt: w("lt", 2, (a, b) => lt(a, b)),
    le: w("le", 2, (a, b) => le(a, b)),
    gt: w("gt", 2, (a, b) => gt(a, b)),
    ge: w("ge", 2, (a, b) => ge(a, b)),
    not: w("not", 1, (v) => not(v)),
    and: w("and", 1, (...values) => values.find((v) => !truth(v)) ?? values[values.length - 1]),
    or: w("or", 1, (...values) => values.find((v) => truth(v)) ?? values[values.length - 1]),
    len: w("len", 1, (v) => len(v)),
    slice: w("slice", 1, (item, ...indexes) => slice(item, ...indexes)),
    printf: w("printf", 1, (format, ...values) => sprintf(String(format), values)),
    print: w("print", 0, (...values) => sprint(values)),
    println: w("println", 0, (...values) => sprintln(values)),
    index: (...args) => {
      // Handlebars resolves `{{@index}}` through a helper named `index` when
      // one exists; called without arguments, answer as the data variable would.
      if (args.length === 1) return (args[0] as HelperOptions).data?.["index"];
      return indexHelper(...args);
    },
  };
}
