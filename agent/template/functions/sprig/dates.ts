/**
 * Sprig's date formatting for Unix seconds (`sprig_date "2006-01-02" 1700000000`)
 * and its `duration`. vaultlet formats in UTC: Go's "Local" is UTC in an
 * agent container; a zone or local time zone other than UTC fails with an
 * error instead of printing a wrong time. An unknown zone name falls back
 * to UTC, as in Go.
 */
import { formatGoTime } from "../time.ts";
import { FunctionError } from "../types.ts";
import { GoTime, ZERO_TIME_NS, parseDuration } from "./gotime.ts";
import { parseGoTime } from "./time-parse.ts";

const UTC_NAMES = new Set([
  "UTC",
  "Etc/UTC",
  "Etc/UCT",
  "UCT",
  "Etc/Universal",
  "Universal",
  "Zulu",
  "Etc/Zulu",
  "Etc/GMT",
  "GMT",
]);

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkZone(zone: string): void {
  if (zone === "Local") {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!UTC_NAMES.has(local))
      throw new FunctionError(
        `dates are formatted in UTC only; the agent's local zone is ${local}`,
      );
    return;
  }
  if (zone === "" || UTC_NAMES.has(zone) || !knownZone(zone)) return;
  throw new FunctionError(`dates are formatted in UTC only, not in ${JSON.stringify(zone)}`);
}

/** Go's date argument: a time.Time, Unix seconds as int, int64 or int32; anything else means now. */
function instant(date: unknown): Date {
  if (date instanceof GoTime) return new Date(Number(date.ns / 1_000_000n));
  if (typeof date === "number" && Number.isInteger(date)) return new Date(date * 1000);
  if (typeof date === "bigint") return new Date(Number(date) * 1000);
  return new Date();
}

export function dateInZone(layout: string, date: unknown, zone: string): string {
  checkZone(zone);
  return formatGoTime(instant(date), layout);
}

export const date = (layout: string, d: unknown): string => dateInZone(layout, d, "Local");
export const htmlDate = (d: unknown): string => dateInZone("2006-01-02", d, "Local");
export const htmlDateInZone = (d: unknown, zone: string): string =>
  dateInZone("2006-01-02", d, zone);

/** time.Duration.String() of whole seconds; int input counts as 0, as in Sprig (only string and int64 are read). */
export function duration(sec: unknown): string {
  let n = 0n;
  if (typeof sec === "string") n = /^[+-]?\d+$/.test(sec) ? BigInt(sec) : 0n;
  else if (typeof sec === "bigint") n = sec;
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) n = 0n;
  return goDuration(BigInt.asIntN(64, n * 1_000_000_000n));
}

function fraction(v: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const frac = (v % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return `${v / scale}${frac ? `.${frac}` : ""}`;
}

/** Go's time.Duration.String for nanoseconds. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const sign = ns < 0n ? "-" : "";
  const u = ns < 0n ? -ns : ns;
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${fraction(u, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${fraction(u, 6)}ms`;
  const secs = u / 1_000_000_000n;
  let out = `${fraction((secs % 60n) * 1_000_000_000n + (u % 1_000_000_000n), 9)}s`;
  const mins = secs / 60n;
  if (mins > 0n) {
    out = `${mins % 60n}m${out}`;
    if (mins / 60n > 0n) out = `${mins / 60n}h${out}`;
  }
  return sign + out;
}

export const now = (): GoTime => GoTime.now();

function asTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  const got = v === null || v === undefined ? "<nil>" : typeof v;
  throw new FunctionError(`wrong type for value; expected time.Time; got ${got}`);
}

export const unixEpoch = (t: unknown): string => asTime(t).unix().toString();

export function dateModify(change: string, t: unknown): GoTime {
  const time = asTime(t);
  try {
    return time.add(parseDuration(change));
  } catch {
    return time;
  }
}

export const mustDateModify = (change: string, t: unknown): GoTime =>
  asTime(t).add(parseDuration(change));

export function toDate(layout: string, value: string): GoTime {
  try {
    return parseGoTime(layout, value);
  } catch {
    return new GoTime(ZERO_TIME_NS);
  }
}

export const mustToDate = (layout: string, value: string): GoTime => parseGoTime(layout, value);

const sinceNs = (t: GoTime): bigint => BigInt(Date.now()) * 1_000_000n - t.ns;

/** ago: time since DATE (a time.Time or Unix seconds; anything else is now), to the second. */
export function ago(date: unknown): string {
  let t: GoTime;
  if (date instanceof GoTime) t = date;
  else if (typeof date === "number" && Number.isInteger(date))
    t = new GoTime(BigInt(date) * 1_000_000_000n);
  else if (typeof date === "bigint") t = new GoTime(date * 1_000_000_000n);
  else t = GoTime.now();
  const d = sinceNs(t);
  const s = 1_000_000_000n;
  // Duration.Round(time.Second): halves away from zero
  const r = d < 0n ? -((-d + s / 2n) / s) * s : ((d + s / 2n) / s) * s;
  return goDuration(r);
}

const UNITS_ROUND: Array<[bigint, string]> = [
  [3_600_000_000_000n * 24n * 365n, "y"],
  [3_600_000_000_000n * 24n * 30n, "mo"],
  [3_600_000_000_000n * 24n, "d"],
  [3_600_000_000_000n, "h"],
  [60_000_000_000n, "m"],
  [1_000_000_000n, "s"],
];

export function durationRound(v: unknown): string {
  let d = 0n;
  if (typeof v === "string") {
    try {
      d = parseDuration(v);
    } catch {
      d = 0n;
    }
  } else if (typeof v === "bigint") d = v;
  else if (v instanceof GoTime) d = sinceNs(v);
  const u = d < 0n ? -d : d;
  for (const [unit, name] of UNITS_ROUND) if (u > unit) return `${u / unit}${name}`;
  return "0s";
}
