import { copyLiterals, literalOf } from "./literals.ts";
import { Invalid, describe, isObject, type SourceFormat, type ValueParser } from "./values.ts";
import { editDistance } from "../edit-distance.ts";

/**
 * The schema-driven reader: it walks a parsed config (HCL as the HCL parser
 * renders it, or Vault Agent's JSON form) against a table of keys, turns
 * every accepted shape into one typed form, and collects every problem
 * instead of stopping at the first.
 */

export interface ValueField {
  parse: ValueParser;
  required?: boolean;
  default?: unknown;
}
export interface BlockField {
  block: BlockSchema;
  required?: boolean;
  /** a string form some keys also accept (consul-template's wait = "5s:30s") */
  fromString?: (raw: string) => Record<string, unknown>;
}
export interface ListField {
  list: BlockSchema;
}
/** A Vault Agent key vaultlet accepts but does not implement: a warning. */
export interface IgnoredField {
  ignored: true;
}
/** A key that is never valid here, with the reason. */
export interface ForbiddenField {
  forbidden: string;
}
export type Field = ValueField | BlockField | ListField | IgnoredField | ForbiddenField;

export interface BlockSchema {
  fields: Record<string, Field>;
  /** the body key an HCL block label fills: `sink "file" {}` sets `type` */
  label?: string;
  /** rules across keys, and defaults that depend on other keys */
  check?: (
    out: Record<string, unknown>,
    where: Where,
    walk: Walk,
    body: Record<string, unknown>,
  ) => void;
}

/** One step of a key path as it appears in the source: the n-th `key "label"` there. */
export interface Step {
  key: string;
  label?: string;
  n: number;
}

/** Where a value sits: the path shown to users and the steps to find it in the source. */
export class Where {
  readonly path: string;
  readonly steps: readonly Step[];

  constructor(path: string, steps: readonly Step[]) {
    this.path = path;
    this.steps = steps;
  }

  static readonly root = new Where("", []);

  key(key: string, label?: string, n = 0, shown?: string): Where {
    const path = (this.path ? `${this.path}.` : "") + (shown ?? key);
    const step: Step = label === undefined ? { key, n } : { key, label, n };
    return new Where(path, [...this.steps, step]);
  }
}

export interface Finding {
  where: Where;
  message: string;
}

const NOT_IMPLEMENTED = "a Vault Agent setting vaultlet does not implement; ignored";

/** Finds the line of a key path in the source text, when the format allows it. */
export type Locate = (steps: readonly Step[]) => number | undefined;

export class Walk {
  readonly format: SourceFormat;
  readonly locate: Locate | undefined;
  readonly problems: Finding[] = [];
  readonly warnings: Finding[] = [];

  constructor(format: SourceFormat, locate?: Locate) {
    this.format = format;
    this.locate = locate;
  }

  problem(where: Where, message: string): void {
    this.problems.push({ where, message });
  }

  warn(where: Where, message: string): void {
    this.warnings.push({ where, message });
  }

  /** A block that appears at most once: an object, or (HCL) a list of one. */
  block(
    raw: unknown,
    schema: BlockSchema,
    parent: Where,
    key: string,
  ): Record<string, unknown> | undefined {
    const bodies = this.bodies(raw, schema, parent, key, false);
    if (bodies.length > 1) {
      this.problem(parent.key(key), `only one "${key}" block is allowed, found ${bodies.length}`);
      return undefined;
    }
    const only = bodies[0];
    return only && this.body(only.body, schema, only.where);
  }

  /** A repeatable block: a list, a single object, or labelled blocks. */
  list(raw: unknown, schema: BlockSchema, parent: Where, key: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const { body, where } of this.bodies(raw, schema, parent, key, true)) {
      const value = this.body(body, schema, where);
      if (value) out.push(value);
    }
    return out;
  }

  /** Reads one block body against its schema. */
  body(body: Record<string, unknown>, schema: BlockSchema, where: Where): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(body)) {
      // own keys only: "constructor" or "__proto__" in a config are unknown keys
      const field = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
      const at = where.key(key);
      if (raw === null) continue;
      if (!field) this.problem(at, unknownKey(key, Object.keys(schema.fields)));
      else if ("ignored" in field) this.warn(at, NOT_IMPLEMENTED);
      else if ("forbidden" in field) this.problem(at, field.forbidden);
      else {
        const value = this.field(raw, field, key, where, literalOf(body, key));
        if (value !== undefined) out[key] = value;
      }
    }
    for (const [key, field] of Object.entries(schema.fields)) {
      if (Object.hasOwn(body, key) && body[key] !== null) continue;
      if ("required" in field && field.required) this.problem(where.key(key), "required");
      else if ("default" in field && field.default !== undefined) out[key] = field.default;
    }
    schema.check?.(out, where, this, body);
    return out;
  }

  private field(
    raw: unknown,
    field: Field,
    key: string,
    where: Where,
    written: string | undefined,
  ): unknown {
    if ("parse" in field) {
      try {
        return field.parse(raw, this.format, written);
      } catch (err) {
        if (!(err instanceof Invalid)) throw err;
        this.problem(where.key(key), err.message);
        return undefined;
      }
    }
    if ("list" in field) return this.list(raw, field.list, where, key);
    if ("block" in field) {
      if (typeof raw === "string" && field.fromString) {
        try {
          return field.fromString(raw);
        } catch (err) {
          if (!(err instanceof Invalid)) throw err;
          this.problem(where.key(key), err.message);
          return undefined;
        }
      }
      return this.block(raw, field.block, where, key);
    }
    return undefined;
  }

  /**
   * Flattens every shape a block takes into bodies: `x {}` (HCL: a list),
   * `x "label" {}` (HCL: {label: [body]}), JSON `{...}` or `[{...}]`, and
   * JSON's labelled form `{"label": {...}}`. The label fills schema.label.
   */
  private bodies(
    raw: unknown,
    schema: BlockSchema,
    parent: Where,
    key: string,
    indexed: boolean,
  ): { body: Record<string, unknown>; where: Where }[] {
    const found: { body: Record<string, unknown>; label?: string; n: number; ok: boolean }[] = [];
    const seen = new Map<string, number>();
    const add = (body: Record<string, unknown>, label?: string, ok = true) => {
      const n = seen.get(label ?? "") ?? 0;
      seen.set(label ?? "", n + 1);
      found.push(label === undefined ? { body, n, ok } : { body, label, n, ok });
    };
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      if (!isObject(item)) {
        this.problem(parent.key(key), `expected a block, got ${describe(item, this.format)}`);
      } else if (!schema.label || !isLabelled(item, schema)) {
        add(item);
      } else {
        for (const [label, inner] of Object.entries(item)) {
          for (const body of (Array.isArray(inner) ? inner : [inner]) as Record<
            string,
            unknown
          >[]) {
            const own = body[schema.label];
            const labelled = { ...body, [schema.label]: label };
            copyLiterals(body, labelled);
            add(labelled, label, own === undefined || own === label);
            if (own !== undefined && own !== label) {
              this.problem(
                parent.key(key, label, seen.get(label)! - 1).key(schema.label),
                `block label "${label}" and ${schema.label} = ${JSON.stringify(own)} disagree; keep one`,
              );
            }
          }
        }
      }
    }
    // The HCL parser groups labelled blocks by label; the source order is
    // the order the user wrote, so it is restored from the text when known.
    const { locate } = this;
    if (locate && schema.label && this.format === "hcl") {
      const line = (f: (typeof found)[number]) =>
        locate([...parent.steps, { key, label: f.label, n: f.n } as Step]) ?? Infinity;
      found.sort((a, b) => line(a) - line(b));
    }
    return found
      .filter((f) => f.ok)
      .map((f, i) => ({
        body: f.body,
        where: parent.key(
          key,
          f.label,
          f.n,
          indexed ? shownItem(key, schema, f.body, f.label, i) : key,
        ),
      }));
  }
}

/** `sink[0]`, or `env_template[NAME]` where the label is a name rather than a type. */
function shownItem(
  key: string,
  schema: BlockSchema,
  body: Record<string, unknown>,
  label: string | undefined,
  index: number,
): string {
  if (schema.label === "name") {
    const name = label ?? body.name;
    if (typeof name === "string") return `${key}[${name}]`;
  }
  return `${key}[${index}]`;
}

/** `{"kubernetes": {...}}` is a labelled block; `{"type": ..., "config": ...}` is a body. */
function isLabelled(item: Record<string, unknown>, schema: BlockSchema): boolean {
  const entries = Object.entries(item);
  return (
    entries.length > 0 &&
    entries.every(
      ([k, v]) =>
        !Object.hasOwn(schema.fields, k) &&
        (isObject(v) || (Array.isArray(v) && v.length > 0 && v.every(isObject))),
    )
  );
}

export function unknownKey(key: string, known: string[]): string {
  const near = closest(key, known);
  return near ? `unknown key; did you mean "${near}"?` : "unknown key";
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
