/**
 * consul-template wraps some functions' errors with the function's name
 * (errors.Wrap(err, "toJSON") gives "toJSON: json: unsupported value: NaN");
 * the same wrapping here keeps vaultlet's messages word for word.
 */
import { FunctionError } from "./types.ts";

export function prefixed<A extends unknown[], R>(name: string, fn: (...a: A) => R) {
  return (...args: A): R => {
    try {
      return fn(...args);
    } catch (e) {
      if (e instanceof FunctionError) throw new FunctionError(`${name}: ${e.message}`);
      throw e;
    }
  };
}
