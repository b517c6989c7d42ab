/**
 * JSON.parse that reads every object key as written.
 *
 * V8 (Node 24 and 26 at least; nodejs/node#63785, crbug 521080746) can
 * decode an escaped key wrongly: when an earlier parse in the same process
 * made an object with a key containing a backslash, a later object of the
 * same shape whose key is written with an escape (`"\u0026"`, `"\""`,
 * `"\n"`) can come back with the earlier key (`"\\"`) instead. Vault writes
 * `&`, `<` and `>` in keys as `\u0026`, `\u003c`, `\u003e`, so a secret's
 * key could change into another key depending on what the process read before.
 *
 * A key without a backslash in the text is read correctly, so texts with no
 * backslash go straight to JSON.parse. Otherwise every key containing one is
 * replaced in the text by a plain placeholder (no backslash, found nowhere in
 * the text), the text is parsed by JSON.parse (values, numbers and the
 * reviver's source text unchanged), and each placeholder is turned back into
 * its key, decoded as a JSON string on its own (a top-level string does not
 * take the faulty path), keeping the object's key order.
 */
import { setOwn } from "./own.ts";

/**
 * JSON.parse's reviver. It gets each key decoded; an object it gets may still
 * hold placeholder keys (they are restored after the parse), so a reviver
 * should change primitive values only, as vaultlet's do.
 */
export type Reviver = (
  this: unknown,
  key: string,
  value: unknown,
  context?: { source?: string },
) => unknown;

/** A JSON string literal, and what follows it up to a `:` when it is a key. */
const STRING = /"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?/g;

export function parseJson(text: string, reviver?: Reviver): unknown {
  if (!text.includes("\\")) return JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
  try {
    return parseWithPlaceholders(text, reviver);
  } catch (err) {
    // a mistake in the text is reported as JSON.parse reports it for the text as given
    JSON.parse(text);
    throw err;
  }
}

function parseWithPlaceholders(text: string, reviver?: Reviver): unknown {
  const keys = new Map<string, string>();
  const prefix = placeholderPrefix(text);
  const rewritten = text.replace(STRING, (token: string, colon?: string) => {
    if (!colon || !token.includes("\\")) return token;
    const literal = token.slice(0, token.length - colon.length);
    const placeholder = `${prefix}${keys.size}`;
    keys.set(placeholder, JSON.parse(literal) as string);
    return `"${placeholder}"${colon}`;
  });
  const decodedKeys: Reviver | undefined = reviver
    ? function (this: unknown, key, value, context) {
        return reviver.call(this, keys.get(key) ?? key, value, context);
      }
    : undefined;
  const parsed: unknown = JSON.parse(rewritten, decodedKeys as Parameters<typeof JSON.parse>[1]);
  return keys.size === 0 ? parsed : restoreKeys(parsed, keys);
}

/** A prefix for placeholders that occurs nowhere in the text. */
function placeholderPrefix(text: string): string {
  for (let n = 0; ; n++) {
    const prefix = `vaultlet-escaped-key-${n}-`;
    if (!text.includes(prefix)) return prefix;
  }
}

/**
 * The parsed value with every object holding placeholder keys rebuilt with
 * the real keys in the same order. Iterative: a document nested thousands
 * deep, which JSON.parse reads, must not overflow the stack here.
 */
function restoreKeys(parsed: unknown, keys: Map<string, string>): unknown {
  const root: Record<string, unknown> = { value: parsed };
  const todo: Array<[Record<string, unknown>, string]> = [[root, "value"]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [holder, at] = next;
    let value = holder[at];
    if (value === null || typeof value !== "object") continue;
    const own = value as Record<string, unknown>;
    const names = Object.keys(own);
    if (!Array.isArray(value) && names.some((k) => keys.has(k))) {
      const rebuilt: Record<string, unknown> = {};
      for (const k of names) setOwn(rebuilt, keys.get(k) ?? k, own[k]);
      setOwn(holder, at, rebuilt);
      value = rebuilt;
    }
    for (const k of Object.keys(value as object)) todo.push([value as Record<string, unknown>, k]);
  }
  return root.value;
}
