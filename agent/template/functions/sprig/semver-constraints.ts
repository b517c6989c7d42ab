/**
 * Masterminds/semver v3.4.0 constraints, for sprig_semverCompare:
 * comparisons (=, !=, >, <, >=, <=, and => =<), ~ / ~> and ^ ranges,
 * x, X and * wildcards, "A - B" ranges, AND by space or comma, OR by `||`.
 * A pre-release version satisfies only an OR group naming a pre-release.
 * Validation walks the text unit by unit instead of with the library's
 * one big pattern, which accepts the same texts without its backtracking.
 */
import { FunctionError } from "../types.ts";
import { Version, compare, comparePre } from "./semver.ts";

const S = "[\\t\\n\\f\\r ]";
const XPART = "[0-9|xX*]+";
const PRE = "(-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
const META = "(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
/** groups: major, .minor, .patch, -pre */
const CV = `v?(${XPART})(\\.${XPART})?(\\.${XPART})?${PRE}${META}`;
const CV_PLAIN = CV.replace(/\((?!\?)/g, "(?:");
const OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const UNIT = new RegExp(`(?:${OPS})${S}*${CV_PLAIN}`, "y");
const FIND = new RegExp(`(?:${OPS})${S}*${CV_PLAIN}`, "g");
const ONE = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const RANGE = new RegExp(`${S}*(${CV_PLAIN})${S}+-${S}+(${CV_PLAIN})${S}*`, "g");
const SPACE = new RegExp(`${S}*`, "y");

interface Constraint {
  op: string;
  orig: string;
  con: Version;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (s: string | undefined): boolean => s === "x" || s === "X" || s === "*";

function parseOne(text: string): Constraint {
  const m = ONE.exec(text);
  if (!m) throw new FunctionError(`improper constraint: ${text}`);
  const [, op = "", orig = "", major = "", minor, patch, pre = ""] = m;
  let ver = orig;
  let [dirty, minorDirty, patchDirty] = [false, false, false];
  if (isX(major)) {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (minor === undefined || isX(minor.slice(1))) {
    [dirty, minorDirty] = [true, true];
    ver = `${major}.0.0${pre}`;
  } else if (patch === undefined || isX(patch.slice(1))) {
    [dirty, patchDirty] = [true, true];
    ver = `${major}${minor}.0${pre}`;
  }
  let con: Version;
  try {
    con = new Version(ver);
  } catch {
    throw new FunctionError("constraint parser error");
  }
  return { op, orig, con, dirty, minorDirty, patchDirty };
}

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

/** The library's validity pattern: units separated by spaces or a comma. */
function valid(text: string): boolean {
  let at = skipSpace(text, 0);
  for (;;) {
    UNIT.lastIndex = at;
    if (!UNIT.exec(text)) return false;
    const end = UNIT.lastIndex;
    at = skipSpace(text, end);
    if (at === text.length) return true;
    if (text[at] === ",") at = skipSpace(text, at + 1);
    else if (at === end) return false;
  }
}

function rewriteRanges(text: string): string {
  let out = text;
  for (const m of text.matchAll(RANGE)) out = out.replace(m[0], `>= ${m[1]}, <= ${m[2]} `);
  return out;
}

function parseConstraints(text: string): Array<{ all: Constraint[]; pre: boolean }> {
  return rewriteRanges(text)
    .split("||")
    .map((group) => {
      if (!valid(group)) throw new FunctionError(`improper constraint: ${group}`);
      const all = [...group.matchAll(FIND)].map((m) => parseOne(m[0]));
      return { all, pre: all.some((c) => c.con.pre !== "") };
    });
}

type Check = (v: Version, c: Constraint) => boolean;

const tilde: Check = (v, c) => {
  if (compare(v, c.con) < 0) return false;
  const k = c.con;
  if (k.major === 0n && k.minor === 0n && k.patch === 0n && !c.minorDirty && !c.patchDirty)
    return true;
  return v.major === k.major && (v.minor === k.minor || c.minorDirty);
};

const notEqual: Check = (v, c) => {
  const k = c.con;
  if (c.dirty) {
    if (k.major !== v.major) return true;
    if (k.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (k.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) return (v.pre !== "" || k.pre !== "") && comparePre(v.pre, k.pre) !== 0;
  }
  return compare(v, k) !== 0;
};

const greater: Check = (v, c) => {
  const k = c.con;
  if (!c.dirty || v.major !== k.major) return c.dirty ? v.major > k.major : compare(v, k) > 0;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > k.minor;
  return compare(v, k) > 0;
};

const lessOrEqual: Check = (v, c) => {
  const k = c.con;
  if (!c.dirty) return compare(v, k) <= 0;
  if (v.major > k.major) return false;
  return !(v.major === k.major && v.minor > k.minor && !c.minorDirty);
};

const caret: Check = (v, c) => {
  const k = c.con;
  if (compare(v, k) < 0) return false;
  if (k.major > 0n || c.minorDirty) return v.major === k.major;
  if (v.major > 0n) return false;
  if (k.minor > 0n || c.patchDirty) return v.minor === k.minor;
  if (v.minor > 0n) return false;
  return k.patch === v.patch;
};

const CHECKS: Record<string, Check> = {
  "": (v, c) => (c.dirty ? tilde(v, c) : compare(v, c.con) === 0),
  "!=": notEqual,
  ">": greater,
  "<": (v, c) => compare(v, c.con) < 0,
  ">=": (v, c) => compare(v, c.con) >= 0,
  "<=": lessOrEqual,
  "~": tilde,
  "^": caret,
};
CHECKS["="] = CHECKS[""]!;
CHECKS["=>"] = CHECKS[">="]!;
CHECKS["=<"] = CHECKS["<="]!;
CHECKS["~>"] = CHECKS["~"]!;

/** semverCompare CONSTRAINT VERSION */
export function semverCompare(constraint: string, version: string): boolean {
  const groups = parseConstraints(constraint);
  const v = new Version(version);
  return groups.some((g) => (v.pre === "" || g.pre) && g.all.every((c) => CHECKS[c.op]!(v, c)));
}
