/**
 * Sprig's goutils-based word helpers: initials, swapcase, abbrev and
 * abbrevboth. goutils reads `initials` byte by byte and abbreviates by byte
 * length, so non-ASCII text behaves as it does in Go (as far as a JS string
 * can hold the result).
 */
const isSpace = (c: string): boolean => /^[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]$/u.test(c);

export function initials(s: string): string {
  let out = "";
  let gap = true;
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (isSpace(c)) gap = true;
    else if (gap) {
      out += c;
      gap = false;
    }
  }
  return out;
}

/** One-rune case mapping: a character whose mapping is longer (ß to SS) stays, as in Go. */
function mapRune(c: string, f: (x: string) => string): string {
  const m = f(c);
  return [...m].length === 1 ? m : c;
}

/**
 * goutils' SwapCase. Go title-cases a lower-case letter after a space and
 * upper-cases the others; the two differ only for digraphs such as ǆ, which
 * vaultlet upper-cases in both places.
 */
export function swapcase(s: string): string {
  let out = "";
  for (const c of s) {
    if (/\p{Lu}|\p{Lt}/u.test(c)) out += mapRune(c, (x) => x.toLowerCase());
    else if (/\p{Ll}/u.test(c)) out += mapRune(c, (x) => x.toUpperCase());
    else out += c;
  }
  return out;
}

const bytes = (s: string): Buffer => Buffer.from(s, "utf8");
const cut = (s: string, a: number, b?: number): string => bytes(s).subarray(a, b).toString("utf8");

/** goutils' AbbreviateFull; undefined where goutils returns an error (Sprig then gives ""). */
function abbreviateFull(s: string, offset: number, width: number): string | undefined {
  if (s === "") return "";
  if (width < 4) return undefined;
  const n = bytes(s).length;
  if (n <= width) return s;
  let off = Math.min(offset, n);
  if (n - off < width - 3) off = n - (width - 3);
  if (off <= 4) return cut(s, 0, width - 3) + "...";
  if (width < 7) return undefined;
  if (off + width - 3 < n) return "..." + (abbreviateFull(cut(s, off), 0, width - 3) ?? "");
  return "..." + cut(s, n - (width - 3));
}

export const abbrev = (width: number, s: string): string =>
  width < 4 ? s : (abbreviateFull(s, 0, width) ?? "");

export function abbrevboth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  return abbreviateFull(s, left, right) ?? "";
}
