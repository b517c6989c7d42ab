/**
 * Go's fmt package as templates use it: `%v` printing of maps, slices,
 * structs and numbers, Sprint/Sprintln spacing rules, and Sprintf verbs with
 * flags, width and precision, including Go's `%!verb(type=value)` markers.
 */
import { escapedByte, goStringBytes } from "../../../shared/go-string.ts";
import {
  Float64,
  JsonNumber,
  formatFloatV,
  goTypeName,
  isFloat,
  isMap,
  isMissing,
  floatValue,
  shortestDigits,
  eNotation,
  sortedKeys,
  structFields,
  structKind,
  TypedNil,
} from "../functions/values.ts";

/** `%v` of one value. `top` is true for the outermost operand (pointers print as `&{...}` there). */
export function formatV(v: unknown, plus = false, top = true): string {
  if (v === undefined || v === null || isMissing(v) || v instanceof TypedNil) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isInteger(v) ? intString(v) : formatFloatV(v);
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Float64) return formatFloatV(v.value);
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return "[" + v.map((e) => formatV(e, plus, false)).join(" ") + "]";
  const kind = structKind(v);
  if (kind) {
    const obj = v as Record<string, unknown>;
    const body = structFields(kind)
      .map((f) => {
        let val = obj[f];
        if (f === "Warnings" && (val === null || val === undefined)) val = [];
        const text =
          (f === "Auth" || f === "WrapInfo") && (val === null || val === undefined)
            ? "<nil>"
            : formatV(val, plus, false);
        return plus ? `${f}:${text}` : text;
      })
      .join(" ");
    // consul-template returns *Secret: fmt shows the pointer as &{...}
    return (kind === "secret" && top ? "&" : "") + "{" + body + "}";
  }
  if (isMap(v)) {
    return (
      "map[" +
      sortedKeys(v)
        .map((k) => `${k}:${formatV(v[k], plus, false)}`)
        .join(" ") +
      "]"
    );
  }
  return String(v);
}

function intString(n: number): string {
  return Object.is(n, -0) ? "0" : n.toFixed(0);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    const isStr = typeof args[i] === "string";
    if (i > 0 && !isStr && typeof args[i - 1] !== "string") out += " ";
    out += formatV(args[i]);
  }
  return out;
}

/** fmt.Sprintln: always spaces, trailing newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => formatV(a)).join(" ") + "\n";
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string;
}

/** fmt.Sprintf for the verbs templates use. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = {
      minus: false,
      plus: false,
      sharp: false,
      space: false,
      zero: false,
      width: undefined,
      prec: undefined,
      verb: "",
    };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "-") spec.minus = true;
      else if (c === "+") spec.plus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === " ") spec.space = true;
      else if (c === "0") spec.zero = !spec.minus;
      else break;
    }
    const readNum = (): number | undefined => {
      if (format[i] === "*") {
        i++;
        const a = args[argi++];
        return typeof a === "number" ? a : undefined;
      }
      const start = i;
      while (i < format.length && format[i]! >= "0" && format[i]! <= "9") i++;
      return i > start ? Number(format.slice(start, i)) : undefined;
    };
    spec.width = readNum();
    if (format[i] === ".") {
      i++;
      spec.prec = readNum() ?? 0;
    }
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const cp = format.codePointAt(i)!;
    spec.verb = String.fromCodePoint(cp);
    i += spec.verb.length;
    if (spec.verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${spec.verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argi++], spec);
  }
  if (argi < args.length) {
    const extra = args
      .slice(argi)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${goTypeName(a)}=${formatV(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function pad(s: string, spec: Spec, zeroOk = false): string {
  const len = [...s].length;
  if (spec.width === undefined || len >= spec.width) return s;
  const fill = spec.width - len;
  if (spec.minus) return s + " ".repeat(fill);
  if (spec.zero && zeroOk) {
    const sign = s[0] === "-" || s[0] === "+" || s[0] === " " ? s[0] : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return " ".repeat(fill) + s;
}

function bad(v: unknown, spec: Spec): string {
  if (v === null || v === undefined || isMissing(v)) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(v)}=${formatV(v)})`;
}

function isIntValue(v: unknown): v is number | bigint {
  return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
}

function formatArg(v: unknown, spec: Spec): string {
  const verb = spec.verb;
  if (verb === "T") return pad(v === null || v === undefined ? "<nil>" : goTypeName(v), spec);
  if (verb === "v") {
    if (isFloat(v)) return pad(signed(formatFloatV(floatValue(v)), spec), spec, true);
    if (isIntValue(v)) return pad(signed(String(v), spec), spec, true);
    return pad(formatV(v, spec.plus), spec);
  }
  // Slices and maps apply the verb to each element, as fmt does.
  if (Array.isArray(v)) return "[" + v.map((e) => formatArg(e, spec)).join(" ") + "]";
  if (isMap(v)) {
    return (
      "map[" +
      sortedKeys(v)
        .map((k) => `${formatArg(k, spec)}:${formatArg(v[k], spec)}`)
        .join(" ") +
      "]"
    );
  }
  const text = typeof v === "string" ? v : v instanceof JsonNumber ? v.text : undefined;
  switch (verb) {
    case "s":
      if (text !== undefined) return pad(truncate(text, spec.prec), spec);
      if (structKind(v)) return pad(formatV(v, spec.plus), spec);
      return bad(v, spec);
    case "q":
      if (text !== undefined)
        return pad(
          spec.sharp && !text.includes("`") ? "`" + text + "`" : goQuote(text, spec.plus),
          spec,
        );
      if (isIntValue(v)) return pad(goQuoteRune(Number(v)), spec);
      return bad(v, spec);
    case "x":
    case "X": {
      let s: string | undefined;
      if (text !== undefined) s = goStringBytes(truncate(text, spec.prec)).toString("hex");
      else if (isIntValue(v)) {
        const n = BigInt(v);
        s = (n < 0n ? "-" : "") + (n < 0n ? -n : n).toString(16);
        if (spec.sharp) s = s.startsWith("-") ? "-0x" + s.slice(1) : "0x" + s;
        s = signed(s, spec);
      } else return bad(v, spec);
      if (verb === "X") s = s.toUpperCase();
      return pad(s, spec, isIntValue(v));
    }
    case "d":
    case "b":
    case "o":
    case "O":
    case "c":
    case "U": {
      if (!isIntValue(v)) return bad(v, spec);
      const n = BigInt(v);
      if (verb === "c") return pad(String.fromCodePoint(Number(n)), spec);
      if (verb === "U") return pad("U+" + n.toString(16).toUpperCase().padStart(4, "0"), spec);
      const base = verb === "d" ? 10 : verb === "b" ? 2 : 8;
      let digits = (n < 0n ? -n : n).toString(base);
      if (spec.prec !== undefined) digits = digits.padStart(spec.prec, "0");
      if (verb === "O" || (verb === "o" && spec.sharp))
        digits = (verb === "O" ? "0o" : "0") + digits;
      return pad(signed((n < 0n ? "-" : "") + digits, spec), spec, spec.prec === undefined);
    }
    case "t":
      if (typeof v === "boolean") return pad(v ? "true" : "false", spec);
      return bad(v, spec);
    case "f":
    case "F":
    case "e":
    case "E":
    case "g":
    case "G": {
      if (!isFloat(v)) return bad(v, spec);
      return pad(signed(formatFloat(floatValue(v), verb, spec.prec), spec), spec, true);
    }
    default:
      return bad(v, spec);
  }
}

function truncate(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  return [...s].slice(0, prec).join("");
}

function signed(s: string, spec: Spec): string {
  if (s.startsWith("-")) return s;
  if (spec.plus) return "+" + s;
  if (spec.space) return " " + s;
  return s;
}

/** strconv.FormatFloat with a verb and optional precision. */
export function formatFloat(f: number, verb: string, prec: number | undefined): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  const lower = verb.toLowerCase();
  let s: string;
  if (lower === "f") {
    const p = prec ?? 6;
    s = Math.abs(f) < 1e21 ? f.toFixed(p) : bigFixed(f, p);
  } else if (lower === "e") {
    s = fixExp(prec === undefined ? f.toExponential(6) : f.toExponential(prec));
  } else {
    if (prec === undefined) s = formatFloatV(f);
    else {
      const p = prec === 0 ? 1 : prec;
      const { neg, digits, exp } = shortestDigits(Number(f.toPrecision(p)));
      const trimmed = digits.replace(/0+$/, "") || "0";
      if (exp < -4 || exp >= p) s = (neg ? "-" : "") + eNotation(trimmed, exp);
      else s = Number(f.toPrecision(p)).toString();
    }
  }
  return verb === "E" || verb === "G" ? s.toUpperCase() : s;
}

function bigFixed(f: number, p: number): string {
  const int = BigInt(Math.trunc(f)).toString();
  return p > 0 ? int + "." + "0".repeat(p) : int;
}

/** JS writes e+6, Go writes e+06. */
function fixExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/** strconv.Quote (or QuoteToASCII with `ascii`). */
export function goQuote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    const byte = escapedByte(c);
    if (byte !== undefined) out += "\\x" + byte.toString(16).padStart(2, "0");
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c < 0x7f) out += ch;
    else if (ascii || !isPrintable(c)) {
      out +=
        c > 0xffff
          ? "\\U" + c.toString(16).padStart(8, "0")
          : "\\u" + c.toString(16).padStart(4, "0");
    } else out += ch;
  }
  return out + '"';
}

export function goQuoteRune(c: number): string {
  if (c === 0x27) return "'\\''";
  const q = goQuote(String.fromCodePoint(c));
  return "'" + q.slice(1, -1).replace(/\\"/g, '"') + "'";
}

function isPrintable(c: number): boolean {
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u.test(String.fromCodePoint(c));
}
