/**
 * The engine-neutral shape of a template function: a plain JS function plus
 * the Go parameter types consul-template declares for it. The Go engine uses
 * the types to convert and check arguments exactly as Go's reflection would
 * (so `{{ .Data.n | toUpper }}` on a json.Number fails as it does in Vault
 * Agent); other engines may ignore them and just call `fn`.
 */
export type ParamType =
  "string" | "int" | "uint32" | "time" | "float" | "bool" | "any" | "[]string" | "[]any" | "map";

export interface TemplateFunction {
  params: readonly ParamType[];
  /** type of each extra argument for variadic functions */
  variadic?: ParamType;
  fn: (...args: never[]) => unknown;
}

/** A function failed; the engine reports `error calling NAME: <message>`. */
export class FunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FunctionError";
  }
}

export function define(
  params: readonly ParamType[],
  fn: (...args: never[]) => unknown,
  variadic?: ParamType,
): TemplateFunction {
  return variadic ? { params, fn, variadic } : { params, fn };
}
