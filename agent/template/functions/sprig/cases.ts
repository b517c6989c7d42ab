/**
 * Sprig's camelcase, snakecase and kebabcase (xstrings v1.4.0 rules, which
 * Vault Agent's build carries: camelcase there upper-cases the first word)
 * and wrap / wrapWith (goutils' word wrapping, which counts bytes).
 * Character classes follow Go's unicode package: IsUpper is Lu, IsLetter is
 * L, IsNumber is N, IsPunct is P, IsSpace is White_Space.
 */
const isUpper = (c: string): boolean => /^\p{Lu}$/u.test(c);
const isSpace = (c: string): boolean => /^\p{White_Space}$/u.test(c);
const isPunct = (c: string): boolean => /^\p{P}$/u.test(c);
const isNumber = (c: string): boolean => /^\p{N}$/u.test(c);
const isConnector = (c: string): boolean => c === "-" || c === "_" || isSpace(c);

/** A letter outside the CJK ideograph blocks (xstrings' isAlphabet). */
function isAlphabet(c: string): boolean {
  if (!/^\p{L}$/u.test(c)) return false;
  const r = c.codePointAt(0)!;
  if (r < 0x3400) return true;
  return !(
    (r >= 0x4e00 && r <= 0x9fcc) ||
    (r >= 0x3400 && r <= 0x4d85) ||
    (r >= 0x20000 && r <= 0x2b81d)
  );
}

/** Go's one-rune case mapping: a letter whose JS mapping is longer (ß to SS) stays. */
function mapRune(c: string, f: (x: string) => string): string {
  const m = f(c);
  return [...m].length === 1 ? m : c;
}
const upper = (c: string): string => mapRune(c, (x) => x.toUpperCase());
const lower = (c: string): string => mapRune(c, (x) => x.toLowerCase());

/**
 * camelcase: connectors (space, `_`, `-`) dropped and the letter after one
 * upper-cased; leading connectors kept (and, in a text of connectors only,
 * the last one doubled, as xstrings does).
 */
export function camelcase(s: string): string {
  const runes = [...s];
  if (runes.length === 0) return "";
  let i = 0;
  let out = "";
  let r0 = "";
  while (i < runes.length) {
    r0 = runes[i++]!;
    if (!isConnector(r0)) {
      r0 = upper(r0);
      break;
    }
    out += r0;
  }
  if (i >= runes.length) return out + r0;
  for (; i < runes.length; i++) {
    const r1 = r0;
    r0 = runes[i]!;
    if (isConnector(r0) && isConnector(r1)) out += r1;
    else if (isConnector(r1)) r0 = upper(r0);
    else out += r1;
  }
  return out + r0;
}

type WordType = "number" | "upper" | "alphabet" | "connector" | "punct" | "other";
interface Word {
  type: WordType;
  runes: string[];
}

function runWhile(runes: string[], from: number, ok: (c: string) => boolean): number {
  let j = from;
  while (j < runes.length && ok(runes[j]!)) j++;
  return j;
}

/** The word starting at `i` and where it ends (xstrings' nextWord). */
function wordAt(runes: string[], i: number): [WordType, number] {
  const c = runes[i]!;
  const lowerLetter = (x: string): boolean => isAlphabet(x) && !isUpper(x);
  if (isConnector(c)) return ["connector", runWhile(runes, i + 1, isConnector)];
  if (isPunct(c)) return ["punct", runWhile(runes, i + 1, isPunct)];
  if (isUpper(c)) {
    const next = runes[i + 1];
    if (next === undefined) return ["upper", i + 1];
    if (isUpper(next)) {
      const j = runWhile(runes, i + 1, isUpper);
      // "HTTPStatus" is "HTTP" and "Status"
      return ["upper", j < runes.length && isAlphabet(runes[j]!) ? j - 1 : j];
    }
    return ["upper", isAlphabet(next) ? runWhile(runes, i + 1, lowerLetter) : i + 1];
  }
  if (isAlphabet(c)) return ["alphabet", runWhile(runes, i + 1, lowerLetter)];
  if (isNumber(c)) return ["number", runWhile(runes, i + 1, isNumber)];
  const other = (x: string): boolean =>
    !(isConnector(x) || isAlphabet(x) || isNumber(x) || isPunct(x));
  return ["other", runWhile(runes, i + 1, other)];
}

function splitWords(s: string): Word[] {
  const runes = [...s];
  const words: Word[] = [];
  for (let i = 0; i < runes.length;) {
    const [type, end] = wordAt(runes, i);
    words.push({ type, runes: runes.slice(i, end) });
    i = end;
  }
  return words;
}

function lowered(w: Word, connector: string): string {
  if (w.type !== "upper" && w.type !== "connector") return w.runes.join("");
  return w.runes.map((c) => (isConnector(c) ? connector : isUpper(c) ? lower(c) : c)).join("");
}

const joins = (t: WordType | undefined): boolean =>
  t !== undefined && t !== "connector" && t !== "punct";

/** xstrings' camelCaseToLowerCase over a word list (snakecase, kebabcase). */
function toLowerCase(s: string, connector: string): string {
  const words = splitWords(s);
  let out = "";
  let i = 0;
  const at = (k: number): Word | undefined => words[k];
  const emit = (w: Word): void => void (out += lowered(w, connector));
  while (i < words.length - 1) {
    const prev = words[i]!;
    if (prev.type !== "connector") emit(prev);
    i++;
    if (prev.type === "number") {
      while (at(i)?.type === "alphabet" || at(i)?.type === "number") emit(words[i++]!);
      if (joins(at(i)?.type)) out += connector;
    } else if (prev.type === "connector") emit(prev);
    else if (prev.type !== "punct") i = afterWord(words, i, emit, () => void (out += connector));
  }
  const last = at(i);
  if (last) emit(last);
  return out;
}

/** The `default` branch of xstrings' loop: a word followed by a number, or by anything else. */
function afterWord(words: Word[], i: number, emit: (w: Word) => void, sep: () => void): number {
  const cur = words[i];
  if (cur?.type !== "number") {
    if (joins(cur?.type)) sep();
    return i;
  }
  if (i === words.length - 1) return i;
  let k = i + 1;
  if (words[k]!.type !== "alphabet") {
    emit(cur);
    if (joins(words[k]!.type)) sep();
    return k;
  }
  sep();
  emit(cur);
  while (words[k]?.type === "alphabet" || words[k]?.type === "number") emit(words[k++]!);
  if (joins(words[k]?.type)) sep();
  return k;
}

export const snakecase = (s: string): string => toLowerCase(s, "_");
export const kebabcase = (s: string): string => toLowerCase(s, "-");

/**
 * goutils' WrapCustom: breaks at the last space within `width` bytes, strips
 * a space at the start of a line; a longer word stays whole, or with
 * `longWords` is cut every `width` bytes.
 */
function wrapCustom(text: string, width: number, newline: string, longWords: boolean): string {
  if (text === "") return "";
  const b = Buffer.from(text, "utf8");
  const nl = Buffer.from(newline === "" ? "\n" : newline, "utf8");
  const w = Math.max(1, width);
  const out: Buffer[] = [];
  let off = 0;
  while (b.length - off > w) {
    if (b[off] === 0x20) {
      off++;
      continue;
    }
    const space = b.subarray(off, off + w + 1).lastIndexOf(0x20);
    if (space >= 0) {
      out.push(b.subarray(off, off + space), nl);
      off += space + 1;
    } else if (longWords) {
      out.push(b.subarray(off, off + w), nl);
      off += w;
    } else {
      const next = b.indexOf(0x20, off + w);
      if (next < 0) {
        out.push(b.subarray(off));
        off = b.length;
      } else {
        out.push(b.subarray(off, next), nl);
        off = next + 1;
      }
    }
  }
  out.push(b.subarray(off));
  return Buffer.concat(out).toString("utf8");
}

export const wrap = (width: number, s: string): string => wrapCustom(s, width, "", false);
export const wrapWith = (width: number, newline: string, s: string): string =>
  wrapCustom(s, width, newline, true);
