/**
 * RFC 6902 JSON patch operations as the admission response carries them.
 * Only `add` and `remove` are produced (the reference injector's contract;
 * some API-server-side consumers of the audit log expect nothing else).
 */
export type JsonPatchOperation =
  { op: "add"; path: string; value: unknown } | { op: "remove"; path: string };

/** One RFC 6901 reference token: `~` becomes `~0`, `/` becomes `~1`. */
export function escapePointerToken(token: string | number): string {
  if (typeof token === "number") return String(token);
  // Most tokens (field names, annotation keys without "/") need no escaping.
  if (!token.includes("~") && !token.includes("/")) return token;
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** A JSON pointer from unescaped segments, e.g. ["metadata", "annotations", "a/b"] -> /metadata/annotations/a~1b */
export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => "/" + escapePointerToken(s)).join("");
}

/**
 * Builds a patch against one known document. It remembers which lists and
 * maps it has created, so the first item for an absent list becomes
 * `add /list [item]` and every later one `add /list/- item` (adding `/-`
 * to a list that does not exist fails on the API server).
 */
export class PatchBuilder {
  readonly #ops: JsonPatchOperation[] = [];
  readonly #created = new Set<string>();

  add(path: string, value: unknown): this {
    this.#ops.push({ op: "add", path, value });
    return this;
  }

  remove(path: string): this {
    this.#ops.push({ op: "remove", path });
    return this;
  }

  /** Appends items to the list at `path`; `existing` is the list in the original document (or undefined). */
  appendToList(
    path: string,
    existing: readonly unknown[] | undefined | null,
    items: readonly unknown[],
  ): this {
    for (const item of items) {
      if (Array.isArray(existing) || this.#created.has(path)) {
        this.add(`${path}/-`, item);
      } else {
        this.add(path, [item]);
        this.#created.add(path);
      }
    }
    return this;
  }

  /** Inserts one item at `index` of a list that exists (or was created) in the document. */
  insertIntoList(
    path: string,
    existing: readonly unknown[] | undefined | null,
    index: number,
    item: unknown,
  ): this {
    if (!Array.isArray(existing) && !this.#created.has(path))
      return this.appendToList(path, existing, [item]);
    return this.add(`${path}/${index}`, item);
  }

  /** Sets `key` in the string map at `path` (e.g. annotations), creating the map if it is absent. */
  setMapEntry(
    path: string,
    existing: object | undefined | null,
    key: string,
    value: unknown,
  ): this {
    if ((existing !== undefined && existing !== null) || this.#created.has(path)) {
      return this.add(`${path}/${escapePointerToken(key)}`, value);
    }
    this.#created.add(path);
    return this.add(path, { [key]: value });
  }

  build(): JsonPatchOperation[] {
    return [...this.#ops];
  }
}
