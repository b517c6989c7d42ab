/**
 * Sprig's bcrypt and htpasswd: bcrypt ($2a$, cost 10, a random 16-byte
 * salt) as Go's golang.org/x/crypto/bcrypt computes it. Blowfish's initial
 * state is the hexadecimal digits of pi, computed once here (Machin's
 * formula in fixed point) rather than written out as tables.
 */
import { randomBytes } from "node:crypto";
import { goStringBytes } from "../../../../shared/go-string.ts";

const WORDS = 18 + 4 * 256;

function atanInverse(x: bigint, one: bigint): bigint {
  let term = one / x;
  const x2 = x * x;
  let sum = term;
  for (let k = 1n; term !== 0n; k++) {
    term /= x2;
    sum += (k % 2n === 1n ? -term : term) / (2n * k + 1n);
  }
  return sum;
}

let initial: Uint32Array | undefined;

/** P-array then S-boxes: the first 1042 words of pi's fraction in hexadecimal. */
function piWords(): Uint32Array {
  if (initial) return initial;
  const bits = BigInt(WORDS * 32 + 64);
  const one = 1n << bits;
  const pi = 16n * atanInverse(5n, one) - 4n * atanInverse(239n, one);
  const frac = (pi - 3n * one) >> 64n;
  const hex = frac.toString(16).padStart(WORDS * 8, "0");
  initial = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) initial[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return initial;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  constructor() {
    const w = piWords();
    this.p = w.slice(0, 18);
    this.s = w.slice(18);
  }

  private f(x: number): number {
    const s = this.s;
    const h = (s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) >>> 0;
    return ((h ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) >>> 0;
  }

  encrypt(block: Uint32Array): void {
    let [l, r] = [block[0]!, block[1]!];
    for (let i = 0; i < 16; i += 2) {
      l = (l ^ this.p[i]!) >>> 0;
      r = (r ^ this.f(l)) >>> 0;
      r = (r ^ this.p[i + 1]!) >>> 0;
      l = (l ^ this.f(r)) >>> 0;
    }
    block[0] = (r ^ this.p[17]!) >>> 0;
    block[1] = (l ^ this.p[16]!) >>> 0;
  }

  /** Blowfish's key schedule with a salt stream (all zero when `salt` is undefined). */
  expand(key: Buffer, salt: Buffer | undefined): void {
    let kp = 0;
    for (let i = 0; i < 18; i++) {
      let w = 0;
      for (let k = 0; k < 4; k++, kp = (kp + 1) % key.length) w = ((w << 8) | key[kp]!) >>> 0;
      this.p[i] = (this.p[i]! ^ w) >>> 0;
    }
    let sp = 0;
    const saltWord = (): number => {
      if (!salt) return 0;
      let w = 0;
      for (let k = 0; k < 4; k++, sp = (sp + 1) % salt.length) w = ((w << 8) | salt[sp]!) >>> 0;
      return w;
    };
    const block = new Uint32Array(2);
    const fill = (arr: Uint32Array): void => {
      for (let i = 0; i < arr.length; i += 2) {
        block[0] = (block[0]! ^ saltWord()) >>> 0;
        block[1] = (block[1]! ^ saltWord()) >>> 0;
        this.encrypt(block);
        arr[i] = block[0]!;
        arr[i + 1] = block[1]!;
      }
    };
    fill(this.p);
    fill(this.s);
  }
}

const ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** bcrypt's base64: its own alphabet, no padding. */
export function bcryptBase64(b: Buffer): string {
  return b
    .toString("base64")
    .replace(/=+$/, "")
    .replace(
      /[A-Za-z0-9+/]/g,
      (c) =>
        ALPHABET["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".indexOf(c)]!,
    );
}

/** The 23 hash bytes of bcrypt for a key (password bytes and a NUL), salt and cost. */
export function bcryptHash(key: Buffer, salt: Buffer, cost: number): Buffer {
  const bf = new Blowfish();
  bf.expand(key, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    bf.expand(key, undefined);
    bf.expand(salt, undefined);
  }
  const text = Buffer.from("OrpheanBeholderScryDoubt");
  const words = new Uint32Array(6);
  for (let i = 0; i < 6; i++) words[i] = text.readUInt32BE(i * 4);
  const block = new Uint32Array(2);
  for (let j = 0; j < 6; j += 2) {
    [block[0], block[1]] = [words[j]!, words[j + 1]!];
    for (let i = 0; i < 64; i++) bf.encrypt(block);
    [words[j], words[j + 1]] = [block[0]!, block[1]!];
  }
  const out = Buffer.alloc(24);
  words.forEach((w, i) => out.writeUInt32BE(w, i * 4));
  return out.subarray(0, 23);
}

const COST = 10;

export function bcrypt(input: string): string {
  const password = goStringBytes(input);
  if (password.length > 72)
    return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes";
  const salt = randomBytes(16);
  const hash = bcryptHash(Buffer.concat([password, Buffer.from([0])]), salt, COST);
  return `$2a$${COST}$${bcryptBase64(salt)}${bcryptBase64(hash)}`;
}

export const htpasswd = (user: string, password: string): string =>
  user.includes(":") ? `invalid username: ${user}` : `${user}:${bcrypt(password)}`;
