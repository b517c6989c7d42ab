/**
 * Parsing Vault's JSON answers. Numbers inside a response's top-level `data`
 * keep the digits Vault wrote (JsonNumber), because templates must print them
 * as Go does (`1e3` stays `1e3`, `10.50` stays `10.50`); numbers in the
 * envelope (lease_duration, auth.lease_duration, ...) are plain numbers.
 */
import { JsonNumber } from "../json-number.ts";
import { setOwn } from "../own.ts";
import { parseJson, type Reviver } from "../json.ts";

const keepSource: Reviver = (_key, value, context) =>
  typeof value === "number" && context?.source !== undefined
    ? new JsonNumber(context.source)
    : value;

function toPlainNumbers(value: unknown): unknown {
  if (value instanceof JsonNumber) return value.value;
  if (Array.isArray(value)) return value.map(toPlainNumbers);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, toPlainNumbers(v));
    return out;
  }
  return value;
}

/** Every number a JS number. */
export function parsePlain(text: string): unknown {
  return parseJson(text);
}

/** Keeping the written form of numbers under the top-level `data` key. */
export function parseKeepingDataNumbers(text: string): unknown {
  const parsed = parseJson(text, keepSource);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return toPlainNumbers(parsed);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed)) setOwn(out, k, k === "data" ? v : toPlainNumbers(v));
  return out;
}
