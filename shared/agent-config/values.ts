import { isObject } from "../own.ts";
import { constants } from "node:os";
import { parseDuration } from "../duration.ts";

/**
 * Parsers for the scalar values of the agent config, accepting every form
 * Vault Agent accepts for the same key. Each returns the typed value or
 * throws Invalid with a message that says what was expected and what came.
 */

export type SourceFormat = "hcl" | "json";

export class Invalid extends Error {}

/** `written`: the source text of an HCL number (0640 and 640 differ), when known. */
export type ValueParser = (raw: unknown, format: SourceFormat, written?: string) => unknown;

export const SHELL = ["/bin/sh", "-c"] as const;

/** "a string", "a number", "a block" ... for messages; never the value itself. */
export function describe(raw: unknown, format: SourceFormat): string {
  if (raw === null) return "null";
  if (Array.isArray(raw)) {
    const blockLike = raw.length > 0 && raw.every(isObject);
    return format === "hcl" && blockLike ? "a block" : "a list";
  }
  if (isObject(raw)) return format === "hcl" ? "a map" : "an object";
  if (typeof raw === "string") return "a string";
  if (typeof raw === "number") return "a number";
  if (typeof raw === "boolean") return "a boolean";
  return typeof raw;
}

export { isObject };

function got(raw: unknown, format: SourceFormat): string {
  // Scalars are shown so the user sees what was read; config values are
  // settings (paths, names, durations), never secret material.
  if (typeof raw === "string") return JSON.stringify(raw);
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return describe(raw, format);
}

export const string: ValueParser = (raw, format) => {
  if (typeof raw !== "string") throw new Invalid(`expected a string, got ${describe(raw, format)}`);
  return raw;
};

/** Vault's address: http(s), or unix:// for a local socket. */
export const url: ValueParser = (raw, format) => {
  if (typeof raw === "string" && URL.canParse(raw)) {
    const { protocol, host, pathname } = new URL(raw);
    if ((protocol === "http:" || protocol === "https:") && host !== "") return raw;
    if (protocol === "unix:" && pathname !== "") return raw;
  }
  throw new Invalid(
    `expected a URL like "https://vault.example.com:8200", got ${got(raw, format)}`,
  );
};

/** Go's strconv.ParseBool forms, which Vault accepts for its string booleans. */
const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

export const bool: ValueParser = (raw, format) => {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string" && TRUE.has(raw.trim())) return true;
  if (typeof raw === "string" && FALSE.has(raw.trim())) return false;
  if (raw === 1 || raw === 0) return raw === 1;
  throw new Invalid(`expected a boolean (true or false), got ${got(raw, format)}`);
};

export const int: ValueParser = (raw, format) => {
  const n = typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    throw new Invalid(`expected a whole number, got ${got(raw, format)}`);
  }
  return n;
};

export const number: ValueParser = (raw, format) => {
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new Invalid(`expected a number, got ${got(raw, format)}`);
  }
  return n;
};

/** Go syntax ("1m30s") or seconds (90 or "90"), as milliseconds. */
export const duration: ValueParser = (raw, format) => {
  if (typeof raw === "string" || typeof raw === "number") {
    try {
      // Rounded to the nanosecond: "1.001s" is 1001 ms, not 1000.9999999999999.
      return Math.round(parseDuration(raw) * 1e6) / 1e6;
    } catch {
      // fall through to the message that names the accepted forms
    }
  }
  throw new Invalid(
    `expected a duration like "30s", "5m", "1h30m" or a number of seconds, got ${got(raw, format)}`,
  );
};

const MAX_MODE = 0o777;

/**
 * File permissions. A string is octal, as Vault reads it ("0640" or "640").
 * A number is the mode value itself, as Vault decodes it: JSON's 416 and
 * HCL's `0640` (octal, a leading 0) are both 0o640. An HCL number written
 * without a leading 0 is decimal, so `perms = 640` would be 0o1200 in
 * Vault: refused, with the fix, instead of a surprising mode (0 is fine).
 */
export const mode: ValueParser = (raw, format, written) => {
  let value: number | undefined;
  let hint = "";
  if (typeof raw === "string" && /^\s*(0o)?[0-7]{1,4}\s*$/i.test(raw)) {
    value = parseInt(raw.trim().replace(/^0o/i, ""), 8);
  } else if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0) {
    const decimalHcl = format === "hcl" && raw !== 0 && !/^-?0/.test(written ?? "0");
    if (!decimalHcl) value = raw;
    else {
      const digits = String(raw).padStart(4, "0");
      hint = /^[0-7]+$/.test(digits)
        ? ` (an HCL number without a leading 0 is decimal; write "${digits}" as a string, or ${digits})`
        : " (an HCL number without a leading 0 is decimal)";
    }
  }
  if (value === undefined || value < 0 || value > MAX_MODE) {
    if (format === "json" && typeof raw === "number" && /^[0-7]{3,4}$/.test(String(raw))) {
      hint = ` (a JSON number is decimal; write "0${String(raw).replace(/^0/, "")}" as a string)`;
    }
    throw new Invalid(
      `expected file permissions as an octal string like "0640", got ${got(raw, format)}${hint}`,
    );
  }
  return value;
};

function isStringList(raw: unknown): raw is string[] {
  return Array.isArray(raw) && raw.length > 0 && raw.every((s) => typeof s === "string");
}

/**
 * A template's `command`, stored as argv. A string is Vault Agent's classic
 * form and runs through the shell exactly as written (no splitting here, so
 * quotes, pipes and `&&` behave as the user expects): "nginx -s reload"
 * becomes ["/bin/sh", "-c", "nginx -s reload"]. So does a one-element list
 * whose element contains whitespace, as Vault Agent runs it the same way.
 * A list of two or more strings is argv, run without a shell.
 */
export const command: ValueParser = (raw, format) => {
  if (typeof raw === "string" && raw.trim() !== "") return [...SHELL, raw];
  if (isStringList(raw)) {
    if (raw.length === 1 && /\s/.test(raw[0]!.trim())) return [...SHELL, raw[0]!];
    return raw;
  }
  throw new Invalid(
    `expected a command: a string (run by /bin/sh) or a non-empty list of strings (argv), got ${describe(raw, format)}`,
  );
};

/** The supervised process of `exec {}`: argv only, never a shell. */
export const argv: ValueParser = (raw, format) => {
  if (isStringList(raw)) return raw;
  if (typeof raw === "string" && raw.trim() !== "" && !/\s/.test(raw.trim())) return [raw.trim()];
  throw new Invalid(
    `expected a non-empty list of strings (argv), e.g. ["/app/server", "--port", "8080"], got ${got(raw, format)}`,
  );
};

/** "SIGHUP", "HUP" or "sighup" -> "SIGHUP"; only signals this OS knows. */
export const signal: ValueParser = (raw, format) => {
  if (typeof raw === "string") {
    const name = raw.trim().toUpperCase();
    const full = name.startsWith("SIG") ? name : `SIG${name}`;
    if (full in constants.signals) return full;
  }
  throw new Invalid(
    `expected a signal name such as "SIGHUP" or "SIGTERM", got ${got(raw, format)}`,
  );
};

export function oneOf(...allowed: string[]): ValueParser {
  return (raw, format) => {
    if (typeof raw === "string" && allowed.includes(raw)) return raw;
    throw new Invalid(
      `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${got(raw, format)}`,
    );
  };
}

/**
 * `vaultlet.allow_functions`: the template functions that reach outside the
 * template, each allowed by name (one does not imply the other).
 */
export const ALLOWABLE_FUNCTIONS = ["writeToFile", "plugin"] as const;
export type AllowableFunction = (typeof ALLOWABLE_FUNCTIONS)[number];

export const allowFunctions: ValueParser = (raw, format) => {
  const list = typeof raw === "string" ? [raw] : raw;
  const known = (s: unknown): s is AllowableFunction =>
    typeof s === "string" && (ALLOWABLE_FUNCTIONS as readonly string[]).includes(s);
  if (Array.isArray(list) && list.every(known)) return [...new Set(list)];
  throw new Invalid(
    `expected a list of template functions to allow, each "writeToFile" or "plugin", got ${got(raw, format)}`,
  );
};

/** A free-form key/value map: `config = { ... }` or the block form `config { ... }`. */
export const map: ValueParser = (raw, format) => {
  if (isObject(raw)) return raw;
  if (Array.isArray(raw) && raw.length === 1 && isObject(raw[0])) return raw[0];
  throw new Invalid(`expected a map of settings, got ${describe(raw, format)}`);
};

/** `use_auto_auth_token`: a boolean or the string "force". */
export const autoAuthToken: ValueParser = (raw, format) => {
  if (typeof raw === "string" && raw.trim().toLowerCase() === "force") return "force";
  try {
    return bool(raw, format);
  } catch {
    throw new Invalid(`expected true, false or "force", got ${got(raw, format)}`);
  }
};

/** consul-template's `wait`: a block {min, max} is handled as a block; this is the "5s:30s" string form. */
export function waitString(raw: string): { min?: number; max?: number } {
  const [min, max, extra] = raw.split(":");
  if (extra !== undefined || min === undefined) throw new Invalid(`expected "min" or "min:max"`);
  const out: { min?: number; max?: number } = { min: duration(min.trim(), "json") as number };
  if (max !== undefined) out.max = duration(max.trim(), "json") as number;
  return out;
}
