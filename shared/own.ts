/**
 * Maps built from outside data (Vault responses, parsed JSON or YAML, split
 * strings) may carry a key named "__proto__". Plain assignment would replace
 * the object's prototype instead of adding the key, so a secret holding such
 * a key would stop being a map. These helpers keep every key an own property.
 */
export function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

/** The key's own value, never one inherited from Object.prototype. */
export function getOwn<T>(o: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object without its undefined properties (for exactOptional-style option objects). */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
