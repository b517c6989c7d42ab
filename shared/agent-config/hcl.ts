import { AgentConfigError } from "./errors.ts";
import { HclParseError, parse, type Problem } from "./hcl/parser.ts";
import { locator } from "./hcl/locate.ts";
import { toShape } from "./hcl/shape.ts";
import type { Locate } from "./walk.ts";

export { MAX_HCL_NESTING } from "./hcl/parser.ts";

/**
 * HCL configs, read with vaultlet's own parser of HCL version 1 (hcl/), the
 * language Vault Agent and `bao agent` read: synchronous, no dependencies.
 */
export interface ParsedHcl {
  /** the config in the JSON form the reader walks (see hcl/shape.ts) */
  value: Record<string, unknown>;
  /** the line of a key path, for validation problems */
  locate: Locate;
}

/** Parses HCL text; throws AgentConfigError with `source:line:column: reason` lines. */
export function parseHcl(text: string, source: string): ParsedHcl {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (err) {
    if (!(err instanceof HclParseError)) throw err;
    throw new AgentConfigError(lines(source, [...err.earlier, err]));
  }
  const shaped = toShape(parsed.items);
  const problems = [...parsed.problems, ...shaped.problems];
  if (problems.length > 0) throw new AgentConfigError(lines(source, problems));
  return { value: shaped.value, locate: locator(parsed.items) };
}

function lines(source: string, problems: Problem[]): string[] {
  return problems
    .toSorted((a, b) => a.line - b.line || a.column - b.column)
    .map((p) => `${source}:${p.line}:${p.column}: ${p.message}`);
}
