/**
 * time.ParseInLocation with Local = UTC, for sprig_toDate and mustToDate:
 * Go's layout elements (2006 06 01 1 Jan January 02 2 _2 002 15 03 3 04 4
 * 05 5 PM pm Mon Monday MST Z07:00 -0700 and their kin, .000 / .999
 * fractions, and a fraction after seconds the layout does not name), with
 * Go's error texts.
 */
import { goQuote } from "../../go/fmt.ts";
import { FunctionError } from "../types.ts";
import { GoTime } from "./gotime.ts";

const MONTHS =
  "January February March April May June July August September October November December".split(
    " ",
  );
const DAYS = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split(" ");
const ELEMENTS = (
  "January Jan Monday Mon MST 2006 002 __2 _2 01 02 03 04 05 06 15 1 2 3 4 5 PM pm " +
  "Z07:00:00 Z070000 Z07:00 Z0700 Z07 -07:00:00 -070000 -07:00 -0700 -07"
).split(" ");

function nextElement(layout: string, i: number): [string, string] {
  for (let j = i; j < layout.length; j++) {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(j));
    if (frac && j > i) return [layout.slice(i, j), ""];
    if (frac) return ["", frac[0]];
    const el = ELEMENTS.find((e) => layout.startsWith(e, j));
    if (!el || ((el === "Jan" || el === "Mon") && /[a-z]/.test(layout[j + el.length] ?? "")))
      continue;
    return [layout.slice(i, j), el];
  }
  return [layout.slice(i), ""];
}

interface Fields {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  min: number;
  sec: number;
  nanos: number;
  pm?: boolean;
  offset?: number;
  zone?: string;
}

class Cursor {
  v: string;
  constructor(v: string) {
    this.v = v;
  }
  /** `min` to `max` digits */
  num(min: number, max: number): number | undefined {
    const m = new RegExp(`^[0-9]{${min},${max}}`).exec(this.v);
    if (!m) return undefined;
    this.v = this.v.slice(m[0].length);
    return Number(m[0]);
  }
  word(list: string[], short: boolean): number | undefined {
    const i = list.findIndex((w) => {
      const x = short ? w.slice(0, 3) : w;
      return this.v.slice(0, x.length).toLowerCase() === x.toLowerCase();
    });
    if (i >= 0) this.v = this.v.slice(short ? 3 : list[i]!.length);
    return i >= 0 ? i : undefined;
  }
}

function zoneOffset(c: Cursor, el: string): number | undefined {
  if (el.startsWith("Z") && c.v.startsWith("Z")) {
    c.v = c.v.slice(1);
    return 0;
  }
  const colon = el.includes(":");
  const withSeconds = /00$/.test(el.replace(/:/g, "")) && el.replace(/[^0-9]/g, "").length === 6;
  const short = el.endsWith("07");
  const re = short
    ? /^([+-])([0-9]{2})/
    : colon
      ? withSeconds
        ? /^([+-])([0-9]{2}):([0-9]{2}):([0-9]{2})/
        : /^([+-])([0-9]{2}):([0-9]{2})/
      : withSeconds
        ? /^([+-])([0-9]{2})([0-9]{2})([0-9]{2})/
        : /^([+-])([0-9]{2})([0-9]{2})/;
  const m = re.exec(c.v);
  if (!m) return undefined;
  c.v = c.v.slice(m[0].length);
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === "-" ? -secs : secs;
}

/** One layout element read from the cursor into `f`; false when the text does not fit. */
function readElement(c: Cursor, el: string, f: Fields, fractionNext: boolean): boolean {
  const set = (k: keyof Fields, v: number | undefined): boolean =>
    v !== undefined && ((f[k] as number) = v) !== undefined;
  switch (el) {
    case "2006":
      return set("year", c.num(4, 4));
    case "06": {
      const y = c.num(2, 2);
      return set("year", y === undefined ? y : y >= 69 ? 1900 + y : 2000 + y);
    }
    case "01":
    case "1":
      return set("month", c.num(el === "1" ? 1 : 2, 2));
    case "Jan":
    case "January": {
      const m = c.word(MONTHS, el === "Jan");
      return set("month", m === undefined ? m : m + 1);
    }
    case "Mon":
    case "Monday":
      return c.word(DAYS, el === "Mon") !== undefined;
    case "_2":
      if (c.v.startsWith(" ")) c.v = c.v.slice(1);
      return set("day", c.num(1, 2));
    case "02":
    case "2":
      return set("day", c.num(el === "2" ? 1 : 2, 2));
    case "002":
    case "__2":
      return set("yday", c.num(el === "002" ? 3 : 1, 3));
    case "15":
      return set("hour", c.num(1, 2));
    case "03":
    case "3":
      return set("hour", c.num(el === "3" ? 1 : 2, 2));
    case "04":
    case "4":
      return set("min", c.num(el === "4" ? 1 : 2, 2));
    case "05":
    case "5":
      return set("sec", c.num(el === "5" ? 1 : 2, 2)) && (fractionNext || readLooseFraction(c, f));
    case "PM":
    case "pm": {
      const ap = c.v.slice(0, 2);
      const [am, pm] = el === "PM" ? ["AM", "PM"] : ["am", "pm"];
      if (ap !== am && ap !== pm) return false;
      c.v = c.v.slice(2);
      f.pm = ap === pm;
      return true;
    }
    case "MST":
      return readZoneName(c, f);
    default:
      return set("offset", zoneOffset(c, el));
  }
}

/** Go reads a fraction after seconds even when the layout has none. */
function readLooseFraction(c: Cursor, f: Fields): boolean {
  const m = /^[.,]([0-9]+)/.exec(c.v);
  if (m) {
    f.nanos = Number(m[1]!.padEnd(9, "0").slice(0, 9));
    c.v = c.v.slice(m[0].length);
  }
  return true;
}

function readZoneName(c: Cursor, f: Fields): boolean {
  const m = /^(UTC|GMT[+-]?[0-9]{0,2}|[A-Z]{3,5})/.exec(c.v);
  if (!m) return false;
  c.v = c.v.slice(m[0].length);
  if (m[0] !== "UTC") f.zone = m[0];
  return true;
}

function readFraction(c: Cursor, el: string, f: Fields): boolean {
  const n = el.length - 1;
  if (el[1] === "0") {
    const m = new RegExp(`^[.,]([0-9]{${n}})`).exec(c.v);
    if (!m) return false;
    f.nanos = Number(m[1]!.padEnd(9, "0").slice(0, 9));
    c.v = c.v.slice(m[0].length);
    return true;
  }
  return readLooseFraction(c, f);
}

const RANGES: Array<[keyof Fields, string, number, number]> = [
  ["month", "month", 1, 12],
  ["hour", "hour", 0, 23],
  ["min", "minute", 0, 59],
  ["sec", "second", 0, 59],
];

function daysIn(month: number, year: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2
    ? leap
      ? 29
      : 28
    : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function toTime(f: Fields, fail: (msg: string) => never): GoTime {
  for (const [k, name, lo, hi] of RANGES) {
    const v = f[k] as number;
    if (v !== -1 && (v < lo || v > hi)) fail(`: ${name} out of range`);
  }
  let month = f.month === -1 ? 1 : f.month;
  let day = f.day === -1 ? 1 : f.day;
  if (f.yday !== -1) {
    const leap = daysIn(2, f.year) === 29;
    if (f.yday < 1 || f.yday > (leap ? 366 : 365)) fail(": day-of-year out of range");
    const d = new Date(Date.UTC(2000, 0, 1));
    d.setUTCFullYear(f.year, 0, f.yday);
    [month, day] = [d.getUTCMonth() + 1, d.getUTCDate()];
  }
  if (day < 1 || day > daysIn(month, f.year)) fail(": day out of range");
  let hour = f.hour === -1 ? 0 : f.hour;
  if (f.pm === true && hour < 12) hour += 12;
  else if (f.pm === false && hour === 12) hour = 0;
  const d = new Date(0);
  d.setUTCFullYear(f.year, month - 1, day);
  d.setUTCHours(hour, Math.max(f.min, 0), Math.max(f.sec, 0), 0);
  const offset = f.offset ?? 0;
  const ns = BigInt(d.getTime()) * 1_000_000n + BigInt(f.nanos) - BigInt(offset) * 1_000_000_000n;
  if (f.zone !== undefined) {
    const gmt = /^GMT([+-][0-9]{1,2})$/.exec(f.zone);
    const zoneOffset = gmt ? Number(gmt[1]) * 3600 : 0;
    return new GoTime(ns - BigInt(zoneOffset) * 1_000_000_000n, zoneOffset, f.zone);
  }
  return offset === 0 ? new GoTime(ns) : new GoTime(ns, offset, "");
}

/** time.ParseInLocation(layout, value, UTC). */
export function parseGoTime(layout: string, value: string): GoTime {
  const prefix = `parsing time ${goQuote(value)}`;
  const fail = (msg: string): never => {
    throw new FunctionError(prefix + msg);
  };
  const f: Fields = { year: 0, month: -1, day: -1, yday: -1, hour: -1, min: -1, sec: -1, nanos: 0 };
  const c = new Cursor(value);
  let i = 0;
  while (i < layout.length) {
    const [literal, el] = nextElement(layout, i);
    const cannot = (what: string, rest: string): never =>
      fail(` as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(what)}`);
    if (!c.v.startsWith(literal)) cannot(literal, c.v);
    c.v = c.v.slice(literal.length);
    i += literal.length + el.length;
    if (el === "") continue;
    const rest = c.v;
    const fractionNext = /^[.,](0+|9+)(?![0-9])/.test(layout.slice(i));
    const ok = /^[.,]/.test(el) ? readFraction(c, el, f) : readElement(c, el, f, fractionNext);
    if (!ok) cannot(el, rest);
  }
  if (c.v !== "") fail(`: extra text: ${goQuote(c.v)}`);
  return toTime(f, fail);
}
