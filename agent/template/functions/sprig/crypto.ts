/**
 * Sprig's crypto helpers on node:crypto: randBytes, derivePassword (the
 * Master Password algorithm: scrypt then HMAC-SHA256 over templates of
 * character classes), encryptAES / decryptAES (AES-256-CBC, the password's
 * bytes zero-padded or cut to 32 as the key, a random IV first, PKCS#7
 * padding, base64) and genPrivateKey (PEM in the formats Go writes).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from "node:crypto";
import { bytesToGoString, goStringBytes } from "../../../../shared/go-string.ts";
import { FunctionError } from "../types.ts";
import { checkText } from "./limits.ts";

export function randBytes(count: number): string {
  if (count < 0) throw new FunctionError("runtime error: makeslice: len out of range");
  checkText(Math.ceil(count / 3) * 4);
  return randomBytes(count).toString("base64");
}

const SEED = "com.lyndir.masterpassword";
const TEMPLATES: Record<string, string[]> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: (
    "CvcvnoCvcvCvcv CvcvCvcvnoCvcv CvcvCvcvCvcvno CvccnoCvcvCvcv CvccCvcvnoCvcv CvccCvcvCvcvno " +
    "CvcvnoCvccCvcv CvcvCvccnoCvcv CvcvCvccCvcvno CvcvnoCvcvCvcc CvcvCvcvnoCvcc CvcvCvcvCvccno " +
    "CvccnoCvccCvcv CvccCvccnoCvcv CvccCvccCvcvno CvcvnoCvccCvcc CvcvCvccnoCvcc CvcvCvccCvccno " +
    "CvccnoCvcvCvcc CvccCvcvnoCvcc CvccCvcvCvccno"
  ).split(" "),
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};
const CHARACTERS: Record<string, string> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** derivePassword COUNTER TYPE PASSWORD USER SITE */
export function derivePassword(
  counter: number,
  type: string,
  password: string,
  user: string,
  site: string,
): string {
  const templates = Object.hasOwn(TEMPLATES, type) ? TEMPLATES[type]! : undefined;
  if (!templates) return `cannot find password template ${type}`;
  const [u, s] = [goStringBytes(user), goStringBytes(site)];
  const salt = Buffer.concat([Buffer.from(SEED), uint32(u.length), u]);
  const key = scryptSync(goStringBytes(password), salt, 64, {
    N: 32768,
    r: 8,
    p: 2,
    maxmem: 64 * 1024 * 1024,
  });
  const message = Buffer.concat([Buffer.from(SEED), uint32(s.length), s, uint32(counter)]);
  const seed = createHmac("sha256", key).update(message).digest();
  const template = templates[seed[0]! % templates.length]!;
  return [...template]
    .map((c, i) => {
      const chars = CHARACTERS[c]!;
      return chars[seed[i + 1]! % chars.length];
    })
    .join("");
}

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  goStringBytes(password).copy(key);
  return key;
}

export function encryptAES(password: string, plaintext: string): string {
  if (plaintext === "") return "";
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", aesKey(password), iv);
  return Buffer.concat([iv, cipher.update(goStringBytes(plaintext)), cipher.final()]).toString(
    "base64",
  );
}

/** Go's base64.StdEncoding: padding required, no other characters (newlines are skipped). */
function decodeBase64(text: string): Buffer {
  const s = text.replace(/[\r\n]/g, "");
  const bad =
    /[^A-Za-z0-9+/=]/.exec(s) ?? (s.length % 4 !== 0 ? { index: s.length - (s.length % 4) } : null);
  const pad = s.indexOf("=");
  const badPad = pad >= 0 && !/^={1,2}$/.test(s.slice(pad)) ? { index: pad } : null;
  const fault = bad ?? badPad;
  if (fault) throw new FunctionError(`illegal base64 data at input byte ${fault.index}`);
  return Buffer.from(s, "base64");
}

export function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === "") return "";
  const crypt = decodeBase64(crypt64);
  if (crypt.length < 16)
    throw new FunctionError(
      `runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`,
    );
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new FunctionError("crypto/cipher: input not full blocks");
  const decipher = createDecipheriv("aes-256-cbc", aesKey(password), crypt.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  if (plain.length === 0) throw new FunctionError("runtime error: index out of range [-1]");
  const cut = plain.length - plain[plain.length - 1]!;
  if (cut < 0) throw new FunctionError(`runtime error: slice bounds out of range [:${cut}]`);
  return bytesToGoString([...plain.subarray(0, cut)]);
}
