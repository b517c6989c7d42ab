/**
 * Go's time.Time for Sprig's date functions: an instant in nanoseconds, a
 * zone (UTC, or a fixed offset a parsed text named) and whether it holds a
 * monotonic reading (only `now` does; Go prints it as ` m=+SECONDS`).
 * Templates call its methods (.Unix, .Format, .UTC, .Year, ...) and print it
 * as Time.String does. Go's `Local` is UTC in the agent's container.
 */
import { goQuote } from "../../go/fmt.ts";
import { formatGoTime } from "../time.ts";
import { FunctionError } from "../types.ts";
import { GO_TYPE, METHODS, type MethodTable } from "../values.ts";

const NS_PER_MS = 1_000_000n;
const STARTED = process.hrtime.bigint();

export class GoTime {
  readonly ns: bigint;
  readonly offset: number;
  readonly zone: string;
  readonly mono: bigint | undefined;
  readonly [GO_TYPE] = "time.Time";
  readonly [METHODS]: MethodTable;

  constructor(ns: bigint, offset = 0, zone = "UTC", mono?: bigint) {
    this.ns = ns;
    this.offset = offset;
    this.zone = zone;
    this.mono = mono;
    this[METHODS] = timeMethods(this);
  }

  static now(): GoTime {
    const ns = BigInt(Date.now()) * NS_PER_MS;
    return new GoTime(ns, 0, "UTC", process.hrtime.bigint() - STARTED);
  }

  format(layout: string): string {
    const ms = this.ns / NS_PER_MS - (this.ns % NS_PER_MS < 0n ? 1n : 0n);
    const nanos = Number(this.ns - ms * NS_PER_MS);
    const shifted = new Date(Number(ms) + this.offset * 1000);
    return formatGoTime(shifted, layout, { nanos, offset: this.offset, zone: this.zone });
  }

  unix(): bigint {
    const s = this.ns / 1_000_000_000n;
    return this.ns < 0n && this.ns % 1_000_000_000n !== 0n ? s - 1n : s;
  }

  add(d: bigint): GoTime {
    const mono = this.mono === undefined ? undefined : this.mono + d;
    return new GoTime(this.ns + d, this.offset, this.zone, mono);
  }

  toString(): string {
    const text = this.format("2006-01-02 15:04:05.999999999 -0700 MST");
    if (this.mono === undefined) return text;
    const m = this.mono;
    const secs = `${m / 1_000_000_000n}.${(m % 1_000_000_000n).toString().padStart(9, "0")}`;
    return `${text} m=${m < 0n ? "" : "+"}${secs}`;
  }

  toJSON(): string {
    return this.format("2006-01-02T15:04:05.999999999Z07:00");
  }
}

/** Go's zero Time, which failed parses return. */
export const ZERO_TIME_NS = -62135596800n * 1_000_000_000n;

function timeMethods(t: GoTime): MethodTable {
  const get = (fn: () => unknown): MethodTable[string] => ({ params: [], fn });
  const part = (layout: string): MethodTable[string] => get(() => Number(t.format(layout)));
  return {
    Unix: get(() => t.unix()),
    UnixMilli: get(() => t.ns / NS_PER_MS),
    UnixNano: get(() => t.ns),
    Format: { params: ["string"], fn: (layout: string) => t.format(layout) },
    String: get(() => t.toString()),
    UTC: get(() => new GoTime(t.ns)),
    Local: get(() => new GoTime(t.ns)),
    IsZero: get(() => t.ns === ZERO_TIME_NS),
    Year: part("2006"),
    YearDay: part("002"),
    Day: part("2"),
    Hour: part("15"),
    Minute: part("4"),
    Second: part("5"),
  };
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** time.ParseDuration. */
export function parseDuration(text: string): bigint {
  const invalid = (): FunctionError => new FunctionError(`time: invalid duration ${goQuote(text)}`);
  let s = text;
  const neg = s.startsWith("-");
  if (s.startsWith("-") || s.startsWith("+")) s = s.slice(1);
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    if (m[0] === "" || m[0] === ".") throw invalid();
    s = s.slice(m[0].length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === "") throw new FunctionError(`time: missing unit in duration ${goQuote(text)}`);
    const scale = UNITS[unit];
    if (scale === undefined)
      throw new FunctionError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`);
    s = s.slice(unit.length);
    const frac = m[2] ?? "";
    const whole = BigInt(m[1] || "0") * scale;
    const part = frac ? (BigInt(frac) * scale) / 10n ** BigInt(frac.length) : 0n;
    total += whole + part;
    if (total > 2n ** 63n - 1n) throw invalid();
  }
  return neg ? -total : total;
}
