import { parseDuration } from "../../shared/duration.ts";

/**
 * Value parsers shared by the annotation table and the injector settings.
 * Each returns the typed value or throws a plain Error whose message says
 * what form is accepted; callers prefix it with the annotation or setting
 * name so the final message names the thing, the bad value and the fix.
 */

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * Go's strconv.ParseBool, as the reference injector applies it (through a
 * weak decoder that also reads an empty string as false).
 */
export function parseGoBool(raw: string): boolean {
  if (raw === "") return false;
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw new Error('is not a boolean; use "true" or "false" (also 1/0, t/f)');
}

/** A base-10 integer (optional sign), like Go's strconv.ParseInt(raw, 10, 64). */
export function parseInteger(
  raw: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!/^[+-]?\d+$/.test(raw))
    throw new Error('is not a whole number; use digits only, e.g. "100"');
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`is out of range; use a whole number from ${min} to ${max}`);
  }
  return n;
}

/** A decimal fraction such as "0.75". */
export function parseFraction(raw: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(raw))
    throw new Error('is not a number; use a fraction like "0.9"');
  const n = Number(raw);
  if (n <= 0 || n >= 1)
    throw new Error('is out of range; use a fraction between 0 and 1, e.g. "0.9"');
  return n;
}

// Kubernetes resource.Quantity: a signed decimal with a binary (Ki..Ei),
// decimal (n, u, m, k, M..E) suffix or an exponent. Negative amounts make
// no sense for the agent's resources, so the sign is left out.
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** A Kubernetes quantity such as "250m", "64Mi" or "1.5". */
export function parseQuantity(raw: string): string {
  if (!QUANTITY.test(raw)) {
    throw new Error(
      'is not a Kubernetes quantity; use a number with an optional unit, like "250m", "64Mi" or "1Gi"',
    );
  }
  return raw;
}

/** File mode bits written in octal, e.g. "0400" or "644". */
export function parseOctalPerms(raw: string): number {
  // Special bits (setuid, setgid, sticky) make no sense on a secret file.
  if (!/^(0|0o)?[0-7]{3}$/.test(raw)) {
    throw new Error(
      'is not an octal file mode; use three octal digits with an optional leading 0, like "0400" or "0640"',
    );
  }
  return Number.parseInt(raw.replace(/^0o/, ""), 8);
}

/** A comma-separated list; blank entries are dropped, entries are trimmed. */
export function parseList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** One of a fixed set of words (case-insensitive), returned in its canonical spelling. */
export function parseEnum<T extends string>(raw: string, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a.toLowerCase() === raw.trim().toLowerCase());
  if (hit === undefined)
    throw new Error(`is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  return hit;
}

/** A Go duration ("30s", "1h30m") or bare seconds, in milliseconds. */
export function parseDurationMs(raw: string): number {
  try {
    return parseDuration(raw);
  } catch {
    throw new Error(
      'is not a duration; use Go syntax like "30s", "5m", "1h30m" or a number of seconds',
    );
  }
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
const LOG_ALIASES: Record<string, (typeof LOG_LEVELS)[number]> = {
  err: "error",
  warning: "warn",
  notice: "info",
};

/** A log level as Vault spells them, aliases (err, warning, notice) mapped to the canonical word. */
export function parseLogLevel(raw: string): (typeof LOG_LEVELS)[number] {
  const word = raw.trim().toLowerCase();
  return LOG_ALIASES[word] ?? parseEnum(word, LOG_LEVELS);
}

/*
 * Value parsers shared by the annotation table and the injector's settings,
 * so an annotation and the setting it overrides read values alike.
 */

export const parseText = (raw: string): string => raw;

/** A Kubernetes quantity, or "" for none. */
export const parseQuantityOrEmpty = (raw: string): string => (raw === "" ? "" : parseQuantity(raw));

/** A user or group id. */
export const parseUid = (raw: string): number => parseInteger(raw, 0, 2_147_483_647);

/** The agent features a Vault Agent setting such as disable_keep_alives may name. */
export const DISABLE_FEATURES = ["auto-auth", "caching", "templating", "proxying"] as const;

export const parseFeatureList = (raw: string): string[] =>
  parseList(raw).map((f) => parseEnum(f, DISABLE_FEATURES));
