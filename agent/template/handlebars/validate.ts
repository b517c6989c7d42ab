/**
 * Compile-time check of a parsed Handlebars template: every helper call
 * names a helper that exists. Handlebars itself finds out only when the call
 * runs (and a call in a branch not taken is never found); Go's parser rejects
 * an unknown function at once, and so does vaultlet for both engines.
 */

interface AstNode {
  type?: string;
  loc?: { start?: { line: number; column: number } };
  [key: string]: unknown;
}

export interface UnknownHelper {
  name: string;
  /** as Handlebars counts: 1-based line, 0-based column */
  position: { line: number; column: number } | undefined;
}

/** A call: a sub-expression, or a mustache/block with arguments. */
function helperName(node: AstNode): string | undefined {
  const path = node["path"] as AstNode | undefined;
  if (!path || path.type !== "PathExpression") return undefined;
  const parts = path["parts"] as string[];
  if (path["data"] || path["depth"] !== 0 || parts.length !== 1) return undefined;
  const params = (node["params"] as unknown[] | undefined) ?? [];
  const pairs = ((node["hash"] as AstNode | undefined)?.["pairs"] as unknown[] | undefined) ?? [];
  const isCall = node.type === "SubExpression" || params.length > 0 || pairs.length > 0;
  return isCall ? parts[0] : undefined;
}

export function findUnknownHelper(
  root: unknown,
  known: (name: string) => boolean,
): UnknownHelper | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    if (!node || typeof node !== "object") continue;
    const n = node as AstNode;
    if (
      n.type === "MustacheStatement" ||
      n.type === "BlockStatement" ||
      n.type === "SubExpression"
    ) {
      const name = helperName(n);
      if (name !== undefined && !known(name)) {
        const start = n.loc?.start;
        return {
          name,
          position: start ? { line: start.line, column: start.column } : undefined,
        };
      }
    }
    for (const key of ["body", "program", "inverse", "params", "hash", "pairs", "value", "path"]) {
      if (key in n) stack.push(n[key]);
    }
  }
  return undefined;
}

/**
 * Every name a template could call as a helper: the first part of each plain
 * path (`{{name ...}}`, `{{#name}}`, `(name ...)`, and `{{name}}`, which
 * Handlebars also tries as a helper).
 */
export function referencedNames(root: unknown): Set<string> {
  const names = new Set<string>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!node || typeof node !== "object") continue;
    const n = node as AstNode;
    if (n.type === "PathExpression") {
      const parts = n["parts"] as string[];
      if (!n["data"] && n["depth"] === 0 && parts.length > 0) names.add(parts[0] as string);
      // `{{@index}}` looks for a helper named `index` first
      if (n["data"] && parts.length > 0) names.add(parts[0] as string);
      continue;
    }
    for (const value of Object.values(n)) {
      if (value && typeof value === "object") stack.push(value);
    }
  }
  return names;
}

/**
 * With error_on_missing_key, Go fails on any missing map key, including in
 * `if`, `range` and function arguments; Handlebars' strict mode checks only
 * `{{a.b}}` itself. Marking every argument path strict makes Handlebars check
 * those too (its compiler honours a path's `strict` flag).
 */
export function markArgumentsStrict(root: unknown): void {
  const stack: unknown[] = [root];
  const markPath = (value: unknown) => {
    const path = value as AstNode | undefined;
    if (path?.type === "PathExpression" && !path["data"]) path["strict"] = true;
  };
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!node || typeof node !== "object") continue;
    const n = node as AstNode;
    if (
      n.type === "MustacheStatement" ||
      n.type === "BlockStatement" ||
      n.type === "SubExpression"
    ) {
      for (const param of (n["params"] as unknown[] | undefined) ?? []) markPath(param);
      const pairs = ((n["hash"] as AstNode | undefined)?.["pairs"] as AstNode[] | undefined) ?? [];
      for (const pair of pairs) markPath(pair["value"]);
    }
    for (const value of Object.values(n)) {
      if (value && typeof value === "object") stack.push(value);
    }
  }
}
