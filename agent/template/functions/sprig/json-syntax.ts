/**
 * The syntax check Go's encoding/json runs before it decodes (Vault Agent's
 * build, Go 1.27, checks with encoding/json/jsontext and rewords to the
 * classic messages: `invalid character 'x' after object key`, `unexpected
 * end of JSON input`, "invalid escape sequence `\q` in string"), so
 * sprig_mustFromJson fails with the message Vault Agent shows.
 */
import { goQuote, goQuoteRune } from "../../go/fmt.ts";
import { FunctionError } from "../types.ts";

class Eof extends Error {}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined): boolean =>
  c !== undefined && /^[0-9a-fA-F]$/.test(String.fromCharCode(c));

class Scanner {
  private i = 0;
  private readonly b: Buffer;
  constructor(b: Buffer) {
    this.b = b;
  }

  private peek(): number {
    if (this.i >= this.b.length) throw new Eof();
    return this.b[this.i]!;
  }

  private fail(context: string): never {
    const r = this.b
      .subarray(this.i, this.i + 4)
      .toString("utf8")
      .codePointAt(0)!;
    throw new FunctionError(`invalid character ${goQuoteRune(r)} ${context}`);
  }

  private space(): void {
    while ([0x20, 0x09, 0x0a, 0x0d].includes(this.b[this.i]!)) this.i++;
  }

  top(): void {
    this.space();
    this.value();
    this.space();
    if (this.i < this.b.length) this.fail("after top-level value");
  }

  private value(): void {
    this.space();
    const c = this.peek();
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || isDigit(c)) return this.number();
    for (const word of ["true", "false", "null"]) {
      if (c === word.charCodeAt(0)) return this.literal(word);
    }
    this.fail("looking for beginning of value");
  }

  private literal(word: string): void {
    for (const expect of word) {
      if (this.peek() !== expect.charCodeAt(0))
        this.fail(`in literal ${word} (expecting '${expect}')`);
      this.i++;
    }
  }

  private digits(): void {
    if (!isDigit(this.peek())) this.fail("in numeric literal");
    while (isDigit(this.b[this.i])) this.i++;
  }

  private number(): void {
    if (this.b[this.i] === 0x2d) this.i++;
    if (this.peek() === 0x30) this.i++;
    else this.digits();
    if (this.b[this.i] === 0x2e) {
      this.i++;
      this.digits();
    }
    if (this.b[this.i] === 0x65 || this.b[this.i] === 0x45) {
      this.i++;
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.i++;
      this.digits();
    }
  }

  private string(): void {
    if (this.peek() !== 0x22) this.fail("looking for beginning of object key string");
    this.i++;
    for (;;) {
      const c = this.peek();
      if (c === 0x22) return void this.i++;
      if (c < 0x20) this.fail("in string");
      if (c === 0x5c) this.escape();
      else this.i++;
    }
  }

  private badEscape(end: number): never {
    const what = this.b.subarray(this.i, end).toString("utf8");
    const plain = !/[`\uFFFD\s]/u.test(what) && /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u.test(what);
    throw new FunctionError(
      `invalid escape sequence ${plain ? `\`${what}\`` : goQuote(what)} in string`,
    );
  }

  private escape(): void {
    const c = this.b[this.i + 1];
    if (c === undefined) throw new Eof();
    if ('/"\\bfnrt'.includes(String.fromCharCode(c))) return void (this.i += 2);
    if (c !== 0x75) this.badEscape(this.i + 2);
    const hex = this.b.subarray(this.i + 2, this.i + 6);
    if (hex.length < 4) {
      if ([...hex].every((h) => isHex(h))) throw new Eof();
      this.badEscape(this.b.length);
    }
    if (![...hex].every((h) => isHex(h))) this.badEscape(this.i + 6);
    this.i += 6;
  }

  private object(): void {
    this.i++;
    this.space();
    if (this.peek() === 0x7d) return void this.i++;
    for (;;) {
      this.space();
      this.string();
      this.space();
      if (this.peek() !== 0x3a) this.fail("after object key");
      this.i++;
      this.value();
      this.space();
      const d = this.peek();
      if (d !== 0x7d && d !== 0x2c) this.fail("after object key:value pair");
      this.i++;
      if (d === 0x7d) return;
    }
  }

  private array(): void {
    this.i++;
    this.space();
    if (this.peek() === 0x5d) return void this.i++;
    for (;;) {
      this.value();
      this.space();
      const d = this.peek();
      if (d !== 0x5d && d !== 0x2c) this.fail("after array element");
      this.i++;
      if (d === 0x5d) return;
    }
  }
}

/** Throws Go's error for text that is not one JSON value. */
export function checkJsonSyntax(text: string): void {
  try {
    new Scanner(Buffer.from(text, "utf8")).top();
  } catch (e) {
    if (e instanceof Eof) throw new FunctionError("unexpected end of JSON input");
    throw e;
  }
}
