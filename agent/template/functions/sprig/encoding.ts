/** Sprig's encodings, checksums and UUIDs. */
import { createHash, randomUUID } from "node:crypto";

/** Go's base64/base32 decoders report the first bad byte; Sprig returns that text as the result. */
function corrupt(offset: number): string {
  return `illegal base64 data at input byte ${offset}`;
}

export const b64enc = (s: string): string => Buffer.from(s, "utf8").toString("base64");

export function b64dec(s: string): string {
  const bytes = Buffer.from(s, "utf8");
  const bad = firstBadBase64(bytes);
  if (bad !== undefined) return corrupt(bad);
  return Buffer.from(s, "base64").toString("utf8");
}

/** Offset Go's StdEncoding reports for malformed padded base64, or undefined when valid. */
function firstBadBase64(b: Buffer): number | undefined {
  const alphabet = /[A-Za-z0-9+/]/;
  let i = 0;
  while (i < b.length && alphabet.test(String.fromCharCode(b[i]!))) i++;
  const dataLen = i;
  if (i === b.length) return dataLen % 4 === 0 ? undefined : dataLen - (dataLen % 4);
  if (b[i] !== 0x3d) return i;
  // padding: "=" only where a quantum ends in 2 or 3 characters
  const rem = dataLen % 4;
  if (rem < 2) return i;
  const pads = 4 - rem;
  for (let p = 0; p < pads; p++) if (b[i + p] !== 0x3d) return i + p >= b.length ? i : i + p;
  return i + pads === b.length ? undefined : i + pads;
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function b32enc(s: string): string {
  const bytes = Buffer.from(s, "utf8");
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out + "=".repeat((8 - (out.length % 8)) % 8);
}

export function b32dec(s: string): string {
  const body = s.replace(/=+$/, "");
  for (let i = 0; i < body.length; i++) {
    if (!B32.includes(body[i]!)) return `illegal base32 data at input byte ${i}`;
  }
  if (s.length % 8 !== 0) return `illegal base32 data at input byte ${s.length - (s.length % 8)}`;
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of body) {
    acc = (acc << 5) | B32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out).toString("utf8");
}

const hex = (algo: string, s: string): string => createHash(algo).update(s, "utf8").digest("hex");
export const sha1sum = (s: string): string => hex("sha1", s);
export const sha256sum = (s: string): string => hex("sha256", s);

/** Adler-32 as a decimal uint32, as Sprig prints it. */
export function adler32sum(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, "utf8")) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(((b << 16) | a) >>> 0);
}

export const uuidv4 = (): string => randomUUID();
