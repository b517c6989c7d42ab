/** Encodings and digests: base64 (standard and URL, padded, strict like Go), sha256, md5. */
import { createHash } from "node:crypto";
import { FunctionError } from "./types.ts";

const STD = /^[A-Za-z0-9+/]*$/;
const URL = /^[A-Za-z0-9_-]*$/;

/** Go's strict padded decoding; errors give the offset Go reports, never the input. */
function decode(s: string, fn: string, url: boolean): string {
  const clean = s.replace(/[\r\n]/g, "");
  const alphabet = url ? URL : STD;
  const fail = (at: number): never => {
    throw new FunctionError(`${fn}: illegal base64 data at input byte ${at}`);
  };
  const firstPad = clean.indexOf("=");
  const body = firstPad < 0 ? clean : clean.slice(0, firstPad);
  for (let i = 0; i < body.length; i++) if (!alphabet.test(body[i]!)) fail(i);
  if (firstPad < 0) {
    if (clean.length % 4 !== 0) fail(clean.length - (clean.length % 4));
  } else {
    const pad = clean.slice(firstPad);
    const dataInQuantum = firstPad % 4;
    if (dataInQuantum < 2) fail(firstPad);
    if (!/^=+$/.test(pad) || pad.length !== 4 - dataInQuantum) fail(firstPad);
  }
  return Buffer.from(url ? body.replace(/-/g, "+").replace(/_/g, "/") : body, "base64").toString(
    "utf8",
  );
}

export const base64Encode = (s: string): string => Buffer.from(s, "utf8").toString("base64");
export const base64Decode = (s: string): string => decode(s, "base64Decode", false);
export const base64URLEncode = (s: string): string =>
  Buffer.from(s, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
export const base64URLDecode = (s: string): string => decode(s, "base64URLDecode", true);

export const sha256Hex = (s: string): string =>
  createHash("sha256").update(s, "utf8").digest("hex");
export const md5sum = (s: string): string => createHash("md5").update(s, "utf8").digest("hex");
