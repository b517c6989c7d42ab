/**
 * toYAML as consul-template produces it with gopkg.in/yaml.v2 (v2.4): keys
 * sorted, two-space indent, sequences flush under their key, json.Number as
 * a YAML int or float, strings YAML 1.1 would read as another type
 * double-quoted (yes, on, y, ~, 0755, 1.0, dates), strings that cannot be
 * plain single-quoted, multi-line strings as literal blocks, plain and
 * single-quoted scalars folded after column 80; then trimmed like
 * consul-template trims it.
 */
import {
  Float64,
  JsonNumber,
  formatFloatV,
  isMissing,
  sortedKeys,
  structFields,
  structKind,
  TypedNil,
} from "./values.ts";

const BEST_WIDTH = 80;

export function toYAML(v: unknown): string {
  const out: string[] = [];
  emitNode(v, 0, out, "top");
  return out.join("").replace(/^\s+|\s+$/g, "");
}

type Ctx = "top" | "map" | "seq";

function isMapLike(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof JsonNumber) &&
    !(v instanceof Float64) &&
    !isMissing(v) &&
    !(v instanceof TypedNil)
  );
}

function entries(v: Record<string, unknown>): Array<[string, unknown]> {
  const kind = structKind(v);
  // yaml.v2 lowercases struct field names
  if (kind) return structFields(kind).map((f) => [f.toLowerCase(), v[f]]);
  return sortedKeys(v).map((k) => [k, v[k]]);
}

/**
 * Emit a value. `indent` is the column of the enclosing block; `ctx` says
 * where the value sits (after "key:", after "- ", or at the top).
 */
function emitNode(v: unknown, indent: number, out: string[], ctx: Ctx): void {
  if (Array.isArray(v)) {
    if (v.length === 0) return void out.push(ctx === "top" ? "[]\n" : " []\n");
    // a sequence under a key starts on the next line at the key's column
    if (ctx === "map") out.push("\n");
    v.forEach((item, i) => {
      if (ctx !== "map" && i === 0 && ctx === "seq") out.push("- ");
      else out.push(" ".repeat(indent) + "- ");
      emitNode(item, indent + 2, out, "seq");
    });
    return;
  }
  if (isMapLike(v)) {
    const list = entries(v);
    if (list.length === 0)
      return void out.push(ctx === "top" ? "{}\n" : ctx === "seq" ? "{}\n" : " {}\n");
    if (ctx === "map") out.push("\n");
    list.forEach(([k, val], i) => {
      const pad = ctx === "seq" && i === 0 ? "" : " ".repeat(indent);
      out.push(pad + scalarText(k, indent, true) + ":");
      emitNode(val, Array.isArray(val) ? indent : indent + 2, out, "map");
    });
    return;
  }
  const prefix = ctx === "map" ? " " : "";
  const text = scalarText(v, ctx === "top" ? 2 : indent, false, currentColumn(out) + prefix.length);
  out.push(prefix + text + "\n");
}

/** Column where the next character lands (the scalar's start, for folding). */
function currentColumn(out: string[]): number {
  let col = 0;
  for (let i = out.length - 1; i >= 0; i--) {
    const piece = out[i]!;
    const nl = piece.lastIndexOf("\n");
    if (nl >= 0) return col + piece.length - nl - 1;
    col += piece.length;
  }
  return col;
}

/** `indent`: the scalar's block indent (continuation lines); `column`: where it starts. */
function scalarText(v: unknown, indent: number, isKey: boolean, column = 0): string {
  if (v === null || v === undefined || isMissing(v) || v instanceof TypedNil) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : yamlFloat(v);
  if (v instanceof Float64) return yamlFloat(v.value);
  if (v instanceof JsonNumber) {
    if (/^[+-]?\d+$/.test(v.text) && BigInt(v.text) >= -(2n ** 63n) && BigInt(v.text) < 2n ** 63n)
      return BigInt(v.text).toString();
    const f = Number(v.text);
    if (v.text.trim() !== "" && !Number.isNaN(f)) return yamlFloat(f);
    return stringScalar(v.text, indent, isKey, column);
  }
  return stringScalar(String(v), indent, isKey, column);
}

function yamlFloat(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (f === Infinity) return ".inf";
  if (f === -Infinity) return "-.inf";
  return formatFloatV(f);
}

// YAML 1.1 words yaml.v2 resolves to bool or null
const RESOLVES = new Set(
  "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF ~ null Null NULL".split(
    " ",
  ),
);
const INT = /^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|\s+)\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/;

/** Whether yaml.v2 would read the text back as something other than a string. */
function resolvesToNonString(s: string): boolean {
  return (
    s === "" ||
    RESOLVES.has(s) ||
    INT.test(s) ||
    FLOAT.test(s) ||
    SPECIAL_FLOAT.test(s) ||
    BASE60.test(s) ||
    TIMESTAMP.test(s)
  );
}

interface Analysis {
  plain: boolean;
  single: boolean;
  block: boolean;
  multiline: boolean;
}

const isBreak = (c: string): boolean =>
  c === "\n" || c === "\r" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isBlankz = (c: string | undefined): boolean =>
  c === undefined || c === " " || c === "\t" || isBreak(c);

function isPrintable(c: string): boolean {
  const x = c.codePointAt(0)!;
  return (
    x === 0x9 ||
    x === 0xa ||
    x === 0xd ||
    (x >= 0x20 && x <= 0x7e) ||
    x === 0x85 ||
    (x >= 0xa0 && x <= 0xd7ff) ||
    (x >= 0xe000 && x <= 0xfffd && x !== 0xfeff) ||
    (x >= 0x10000 && x <= 0x10ffff)
  );
}

/** libyaml's scalar analysis: which styles can carry this text. */
function analyze(s: string): Analysis {
  const cs = [...s];
  let flowInd = false;
  let blockInd = false;
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  if (s.startsWith("---") || s.startsWith("...")) flowInd = blockInd = true;
  let precededByWs = true;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    const followedByWs = isBlankz(cs[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) flowInd = blockInd = true;
      if (c === "?" || c === ":") {
        flowInd = true;
        if (followedByWs) blockInd = true;
      }
      if (c === "-" && followedByWs) flowInd = blockInd = true;
    } else {
      if (",?[]{}".includes(c)) flowInd = true;
      if (c === ":") {
        flowInd = true;
        if (followedByWs) blockInd = true;
      }
      if (c === "#" && precededByWs) flowInd = blockInd = true;
    }
    if (!isPrintable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    const first = i === 0;
    const last = i === cs.length - 1;
    if (c === " ") {
      if (first) leadingSpace = true;
      if (last) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      if (first) leadingBreak = true;
      if (last) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevBreak = true;
      prevSpace = false;
    } else {
      prevSpace = prevBreak = false;
    }
    precededByWs = isBlankz(c);
  }
  let plain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak);
  let single = true;
  let block = !trailingSpace;
  if (breakSpace) plain = single = false;
  if (spaceBreak || special) plain = single = block = false;
  if (lineBreaks) plain = false;
  if (blockInd) plain = false;
  void flowInd;
  return { plain, single, block, multiline: lineBreaks };
}

function stringScalar(s: string, indent: number, isKey: boolean, column: number): string {
  if (resolvesToNonString(s)) return doubleQuoted(s);
  const a = analyze(s);
  if (s.includes("\n") && !isKey && a.block) return literal(s, indent);
  if (s.length === 0) return "''";
  if (a.plain && !(isKey && a.multiline)) return isKey ? s : fold(s, indent, column);
  if (a.single && !(isKey && a.multiline))
    return isKey ? quoteSingle(s) : fold(quoteSingle(s), indent, column);
  return doubleQuoted(s);
}

const quoteSingle = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

/** Fold at spaces once past column 80, as libyaml does for plain and single-quoted scalars. */
function fold(text: string, indent: number, start: number): string {
  if (start + text.length <= BEST_WIDTH) return text;
  let out = "";
  let column = start;
  const cs = [...text];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (
      c === " " &&
      cs[i - 1] !== " " &&
      column > BEST_WIDTH &&
      cs[i + 1] !== " " &&
      i + 1 < cs.length
    ) {
      out += "\n" + " ".repeat(indent);
      column = indent;
      continue;
    }
    out += c;
    column++;
  }
  return out;
}

function literal(s: string, indent: number): string {
  const trailing = /\n+$/.exec(s)?.[0].length ?? 0;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const indicator = s.startsWith(" ") || s.startsWith("\n") ? "2" : "";
  const body = trailing ? s.slice(0, s.length - (chomp === "+" ? 0 : trailing)) : s;
  const pad = " ".repeat(indent);
  const lines = body.split("\n").map((l) => (l === "" ? "" : pad + l));
  if (chomp === "+") lines.pop();
  return "|" + indicator + chomp + "\n" + lines.join("\n");
}

const ESCAPES: Record<string, string> = {
  "\0": "\\0",
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\e",
  '"': '\\"',
  "\\": "\\\\",
  "\u0085": "\\N",
  "\u00a0": "\\_",
  "\u2028": "\\L",
  "\u2029": "\\P",
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (const c of s) {
    const e = ESCAPES[c];
    if (e) out += e;
    else if (!isPrintable(c) || c === "\ufeff") {
      const x = c.codePointAt(0)!;
      out +=
        x <= 0xff
          ? "\\x" + x.toString(16).toUpperCase().padStart(2, "0")
          : x <= 0xffff
            ? "\\u" + x.toString(16).toUpperCase().padStart(4, "0")
            : "\\U" + x.toString(16).toUpperCase().padStart(8, "0");
    } else out += c;
  }
  return out + '"';
}
