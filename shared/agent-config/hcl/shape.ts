import { recordLiteral } from "../literals.ts";
import type { Item, Node, Problem } from "./parser.ts";

/**
 * Turns the syntax tree into the JSON form the config reader walks (the form
 * Vault Agent's JSON configs also take):
 *
 *   name = value             name: value
 *   name = { ... }           name: { ... }          (a map)
 *   name { ... }             name: [ { ... } ]      (each further block appends)
 *   name "a" { ... }         name: { a: [ { ... } ] }
 *   name "a" "b" { ... }     name: { a: { b: [ { ... } ] } }
 *
 * Blocks of one name with and without labels, which Vault also accepts,
 * become a list in source order: [ { ... }, { a: [ { ... } ] } ].
 * A name used both for a setting and for a block is a problem.
 */

interface Block {
  labels: string[];
  body: Record<string, unknown>;
}

export interface Shaped {
  value: Record<string, unknown>;
  problems: Problem[];
}

export function toShape(items: Item[]): Shaped {
  const problems: Problem[] = [];
  return { value: body(items, problems), problems };
}

function body(items: Item[], problems: Problem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const blocks = new Map<string, Block[]>();
  const first = new Map<string, { assign: boolean; line: number }>();
  for (const item of items) {
    const [key, ...labels] = item.keys;
    const name = key!.name;
    const seen = first.get(name);
    if (seen && seen.assign !== item.assign) {
      const [setting, block] = seen.assign ? [seen.line, key!.line] : [key!.line, seen.line];
      problems.push({
        line: key!.line,
        column: key!.column,
        message: `${JSON.stringify(name)} is a setting (line ${setting}) and a block (line ${block}); use one form`,
      });
      continue;
    }
    if (!seen) first.set(name, { assign: item.assign, line: key!.line });
    if (item.assign) {
      // the parser reports a setting given twice; the first one stays
      if (seen) continue;
      set(out, name, value(item.value, problems));
      if (item.value.kind === "literal" && typeof item.value.value === "number") {
        recordLiteral(out, name, item.value.text);
      }
    } else {
      const list = blocks.get(name) ?? [];
      if (list.length === 0) {
        blocks.set(name, list);
        set(out, name, list); // keeps the key's place; replaced below
      }
      const inner = item.value.kind === "object" ? item.value.items : [];
      list.push({ labels: labels.map((l) => l.name), body: body(inner, problems) });
    }
  }
  for (const [name, list] of blocks) set(out, name, group(list));
  return out;
}

function value(node: Node, problems: Problem[]): unknown {
  if (node.kind === "literal") return node.value;
  if (node.kind === "object") return body(node.items, problems);
  return node.elements.map((e) => value(e, problems));
}

/** Blocks of one name, nested by label as described at the top. */
function group(blocks: Block[]): unknown {
  if (blocks.every((b) => b.labels.length === 0)) return blocks.map((b) => b.body);
  if (blocks.some((b) => b.labels.length === 0)) {
    return blocks.map((b) => (b.labels.length === 0 ? b.body : group([b])));
  }
  const byLabel = new Map<string, Block[]>();
  for (const { labels, body } of blocks) {
    const [label, ...rest] = labels;
    const list = byLabel.get(label!) ?? [];
    byLabel.set(label!, list);
    list.push({ labels: rest, body });
  }
  const out: Record<string, unknown> = {};
  for (const [label, list] of byLabel) set(out, label, group(list));
  return out;
}

/** A key named "__proto__" stays an entry instead of replacing the prototype. */
function set(target: Record<string, unknown>, key: string, v: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value: v,
      enumerable: true,
      configurable: true,
      writable: true,
    });
  } else target[key] = v;
}
