/**
 * Private keys as Sprig writes and reads them: genPrivateKey's PEM formats
 * (RSA 4096 as PKCS#1, DSA L2048N256 as OpenSSL's "DSA PRIVATE KEY", ECDSA
 * P-256 as SEC 1, Ed25519 as PKCS#8) and the PEM reader the *WithKey
 * certificate functions use, with Go's error wording for the usual faults.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { int, pemOf as pem, readAll, seq, uintFrom } from "./der.ts";
import { FunctionError } from "../types.ts";

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

/** A DSA key's PKCS#8 DER rewritten as SEQUENCE { 0, p, q, g, y, x }. */
function dsaTraditional(key: KeyObject): Buffer {
  const [info] = readAll(key.export({ type: "pkcs8", format: "der" }));
  const [, algorithm, privateKey] = readAll(info!.body);
  const [, params] = readAll(algorithm!.body);
  const [p, q, g] = readAll(params!.body).map((t) => uintFrom(t.body)) as [bigint, bigint, bigint];
  const x = uintFrom(readAll(privateKey!.body)[0]!.body);
  return seq(...[0n, p, q, g, modPow(g, x, p), x].map(int));
}

/** The PEM Sprig writes for a private key. */
export function keyPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return pem("RSA PRIVATE KEY", key.export({ type: "pkcs1", format: "der" }));
    case "ec":
      return pem("EC PRIVATE KEY", key.export({ type: "sec1", format: "der" }));
    case "dsa":
      return pem("DSA PRIVATE KEY", dsaTraditional(key));
    default:
      return pem("PRIVATE KEY", key.export({ type: "pkcs8", format: "der" }));
  }
}

export function generateKey(type: string): KeyObject | undefined {
  switch (type) {
    case "":
    case "rsa":
      return generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey;
    case "dsa":
      return generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }).privateKey;
    case "ecdsa":
      return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    case "ed25519":
      return generateKeyPairSync("ed25519").privateKey;
    default:
      return undefined;
  }
}

export function genPrivateKey(type: string): string {
  const key = generateKey(type);
  return key ? keyPem(key) : `Unknown type ${type}`;
}

const PEM_BLOCK = /-----BEGIN ([^-\n]*)-----\r?\n[\s\S]*?-----END \1-----/;

/** Sprig's parsePrivateKeyPEM. */
export function parsePrivateKeyPem(text: string): KeyObject {
  const m = PEM_BLOCK.exec(text);
  if (!m) throw new FunctionError("no PEM data in input");
  const label = m[1]!;
  if (label !== "PRIVATE KEY" && !label.endsWith(" PRIVATE KEY"))
    throw new FunctionError(`no private key data in PEM block of type ${label}`);
  const kind = label.slice(0, -" PRIVATE KEY".length);
  if (label !== "PRIVATE KEY" && !["RSA", "EC", "DSA"].includes(kind))
    throw new FunctionError(`invalid private key type ${label}`);
  try {
    return createPrivateKey(m[0]);
  } catch {
    const what =
      label === "PRIVATE KEY" ? "decoding PEM as PKCS#8" : `parsing ${kind} private key from PEM`;
    throw new FunctionError(`${what}: the key does not parse`);
  }
}
