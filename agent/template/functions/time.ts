/**
 * `timestamp`: the current time in UTC formatted with a Go layout
 * (reference time Mon Jan 2 15:04:05 MST 2006), RFC 3339 by default, or
 * Unix seconds for "unix".
 */
import { FunctionError } from "./types.ts";

export const RFC3339 = "2006-01-02T15:04:05Z07:00";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

const p2 = (n: number): string => String(n).padStart(2, "0");

/** Zone and sub-millisecond detail of a Go time.Time (UTC, no extra nanoseconds by default). */
export interface GoTimeDetail {
  /** nanoseconds below the millisecond, 0 to 999999 */
  nanos?: number;
  /** seconds east of UTC; `d` is already shifted by it */
  offset?: number;
  /** zone abbreviation; "" prints the offset, as Go does for a fabricated zone */
  zone?: string;
}

function offsetText(offset: number, colon: boolean, seconds: boolean, short = false): string {
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const hh = p2(Math.floor(a / 3600));
  const mm = p2(Math.floor(a / 60) % 60);
  const ss = p2(a % 60);
  if (short) return sign + hh;
  const sep = colon ? ":" : "";
  return sign + hh + sep + mm + (seconds ? sep + ss : "");
}

/** The layout elements that print the zone: its name or its offset. */
function zoneTokens(detail: GoTimeDetail): Array<[string, () => string]> {
  const offset = detail.offset ?? 0;
  const zone = detail.zone ?? "UTC";
  const off = (colon: boolean, secs: boolean, short = false): string =>
    offsetText(offset, colon, secs, short);
  const zulu = (colon: boolean, secs: boolean, short = false): string =>
    offset === 0 ? "Z" : off(colon, secs, short);
  return [
    ["MST", () => (zone === "" ? off(false, false) : zone)],
    ["Z07:00:00", () => zulu(true, true)],
    ["Z070000", () => zulu(false, true)],
    ["Z07:00", () => zulu(true, false)],
    ["Z0700", () => zulu(false, false)],
    ["Z07", () => zulu(false, false, true)],
    ["-07:00:00", () => off(true, true)],
    ["-070000", () => off(false, true)],
    ["-07:00", () => off(true, false)],
    ["-0700", () => off(false, false)],
    ["-07", () => off(false, false, true)],
  ];
}

/** Format a time with a Go layout string (UTC unless `detail` names a zone). */
export function formatGoTime(d: Date, layout: string, detail: GoTimeDetail = {}): string {
  const Y = d.getUTCFullYear();
  const M = d.getUTCMonth();
  const D = d.getUTCDate();
  const h = d.getUTCHours();
  const m = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  const ms = d.getUTCMilliseconds();
  const yday = Math.floor((Date.UTC(Y, M, D) - Date.UTC(Y, 0, 1)) / 86400000) + 1;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  // longest tokens first where one is a prefix of another
  const tokens: Array<[string, () => string]> = [
    ["January", () => MONTHS[M]!],
    ["Jan", () => MONTHS[M]!.slice(0, 3)],
    ["Monday", () => DAYS[d.getUTCDay()]!],
    ["Mon", () => DAYS[d.getUTCDay()]!.slice(0, 3)],
    ["2006", () => String(Y).padStart(4, "0")],
    ["002", () => String(yday).padStart(3, "0")],
    ["__2", () => String(yday).padStart(3, " ")],
    ["01", () => p2(M + 1)],
    ["02", () => p2(D)],
    ["03", () => p2(h12)],
    ["04", () => p2(m)],
    ["05", () => p2(s)],
    ["06", () => p2(Y % 100)],
    ["15", () => p2(h)],
    ["_2", () => String(D).padStart(2, " ")],
    ["1", () => String(M + 1)],
    ["2", () => String(D)],
    ["3", () => String(h12)],
    ["4", () => String(m)],
    ["5", () => String(s)],
    ["PM", () => (h >= 12 ? "PM" : "AM")],
    ["pm", () => (h >= 12 ? "pm" : "am")],
    ...zoneTokens(detail),
  ];
  let out = "";
  let i = 0;
  outer: while (i < layout.length) {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (frac && (i === 0 || true)) {
      const digits = frac[1]!;
      const nanos = String(ms).padStart(3, "0") + String(detail.nanos ?? 0).padStart(6, "0");
      const full = nanos.slice(0, digits.length);
      if (digits[0] === "0") out += layout[i] + full;
      else {
        const trimmed = full.replace(/0+$/, "");
        if (trimmed) out += layout[i] + trimmed;
      }
      i += frac[0].length;
      continue;
    }
    if (layout.startsWith("_2006", i)) {
      out += "_" + String(Y).padStart(4, "0");
      i += 5;
      continue;
    }
    for (const [tok, fn] of tokens) {
      if (layout.startsWith(tok, i)) {
        // "Jan"/"Mon" need a non-lowercase follower to be tokens in Go
        if ((tok === "Jan" || tok === "Mon") && /[a-z]/.test(layout[i + tok.length] ?? "")) break;
        out += fn();
        i += tok.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}

export function timestamp(now: () => Date) {
  return (...args: string[]): string => {
    if (args.length > 1)
      throw new FunctionError(
        `timestamp: wrong number of arguments, expected 0 or 1, but got ${args.length}`,
      );
    const d = now();
    if (args.length === 0) return formatGoTime(d, RFC3339);
    if (args[0] === "unix") return String(Math.floor(d.getTime() / 1000));
    return formatGoTime(d, args[0]!);
  };
}
