/**
 * Sprig's semver and semverCompare (Masterminds/semver v3.4.0, in the
 * lenient mode Sprig uses: "v1", "1.2" and "1.2.3-rc.1+b" all parse).
 * `sprig_semver` returns a *semver.Version whose methods templates call
 * (`.Major`, `.Prerelease`, `.Compare`, `.LessThan`, ...); it prints as
 * its canonical text. Constraints are in semver-constraints.ts.
 */
import { FunctionError } from "../types.ts";
import { GO_TYPE, METHODS, type MethodTable } from "../values.ts";

const PRE = "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?";
const META = "(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?";
const LOOSE = new RegExp(`^v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?${PRE}${META}$`);
const UINT64_MAX = 2n ** 64n - 1n;

function segment(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  const n = BigInt(text);
  if (n > UINT64_MAX)
    throw new FunctionError(
      `error parsing version segment: strconv.ParseUint: parsing "${text}": value out of range`,
    );
  return n;
}

function checkIdentifiers(text: string | undefined, pre: boolean): void {
  for (const part of text === undefined ? [] : text.split(".")) {
    if (pre && /^[0-9]+$/.test(part) && part.length > 1 && part.startsWith("0"))
      throw new FunctionError("version segment starts with 0");
  }
}

export class Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  readonly original: string;
  readonly [GO_TYPE] = "*semver.Version";
  readonly [METHODS]: MethodTable;

  constructor(text: string) {
    const m = LOOSE.exec(text);
    if (!m) throw new FunctionError("invalid semantic version");
    this.major = segment(m[1]);
    this.minor = segment(m[2]);
    this.patch = segment(m[3]);
    checkIdentifiers(m[4], true);
    this.pre = m[4] ?? "";
    this.metadata = m[5] ?? "";
    this.original = text;
    this[METHODS] = versionMethods(this);
  }

  toJSON(): string {
    return this.toString();
  }

  toString(): string {
    const pre = this.pre ? `-${this.pre}` : "";
    const meta = this.metadata ? `+${this.metadata}` : "";
    return `${this.major}.${this.minor}.${this.patch}${pre}${meta}`;
  }
}

function asVersion(v: unknown): Version {
  if (v instanceof Version) return v;
  throw new FunctionError(`wrong type for value; expected *semver.Version; got ${typeof v}`);
}

function versionMethods(v: Version): MethodTable {
  const cmp = (o: unknown): number => compare(v, asVersion(o));
  const m = (fn: (o: unknown) => unknown): MethodTable[string] => ({ params: ["any"], fn });
  const get = (fn: () => unknown): MethodTable[string] => ({ params: [], fn });
  return {
    String: get(() => v.toString()),
    Original: get(() => v.original),
    Major: get(() => v.major),
    Minor: get(() => v.minor),
    Patch: get(() => v.patch),
    Prerelease: get(() => v.pre),
    Metadata: get(() => v.metadata),
    Compare: m((o) => cmp(o)),
    Equal: m((o) => cmp(o) === 0),
    LessThan: m((o) => cmp(o) < 0),
    LessThanEqual: m((o) => cmp(o) <= 0),
    GreaterThan: m((o) => cmp(o) > 0),
    GreaterThanEqual: m((o) => cmp(o) >= 0),
  };
}

const sign = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function comparePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return -1;
  if (o === "") return 1;
  const num = (x: string): bigint | undefined =>
    /^[0-9]+$/.test(x) && BigInt(x) <= UINT64_MAX ? BigInt(x) : undefined;
  const [si, oi] = [num(s), num(o)];
  if (si === undefined && oi === undefined) return s > o ? 1 : -1;
  if (oi === undefined) return -1;
  if (si === undefined) return 1;
  return si > oi ? 1 : -1;
}

export function comparePre(a: string, b: string): number {
  const [x, y] = [a.split("."), b.split(".")];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = comparePart(x[i] ?? "", y[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

export function compare(v: Version, o: Version): number {
  const d = sign(v.major, o.major) || sign(v.minor, o.minor) || sign(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === "" && o.pre === "") return 0;
  if (v.pre === "") return 1;
  if (o.pre === "") return -1;
  return comparePre(v.pre, o.pre);
}

export const semver = (text: string): Version => new Version(text);
