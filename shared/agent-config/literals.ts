/**
 * The source text of numbers read from HCL, kept beside the parsed values:
 * HCL's `0640` and `640` are different numbers (octal 416 and decimal 640),
 * and file modes need to know which form the user wrote. Keyed by the
 * object holding the value, so nothing leaks between documents.
 */
const written = new WeakMap<object, Map<string, string>>();

export function recordLiteral(container: object, key: string, text: string): void {
  let keys = written.get(container);
  if (!keys) written.set(container, (keys = new Map()));
  keys.set(key, text);
}

/** How the number at `container[key]` was written in HCL, if it came from HCL. */
export function literalOf(container: object, key: string): string | undefined {
  return written.get(container)?.get(key);
}

/** Carries the records over to a copy of `from` (a block body with its label added). */
export function copyLiterals(from: object, to: object): void {
  const keys = written.get(from);
  if (keys) written.set(to, new Map(keys));
}
