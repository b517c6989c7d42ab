/**
 * The little DER that Sprig's key and certificate helpers need: reading
 * nested TLVs and writing SEQUENCE, SET, INTEGER, OID, strings, times and
 * context tags. Kept here so the agent needs no ASN.1 library.
 */

export interface Tlv {
  tag: number;
  body: Buffer;
}

/** The TLVs inside `der`, in order. */
export function readAll(der: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < der.length) {
    const tag = der[i++]!;
    let len = der[i++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + der[i++]!;
    }
    out.push({ tag, body: der.subarray(i, i + len) });
    i += len;
  }
  return out;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

export const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
export const set = (...parts: Buffer[]): Buffer => tlv(0x31, ...parts);

export function int(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return tlv(0x02, Buffer.from(hex, "hex"));
}

export const uintFrom = (body: Buffer): bigint =>
  body.length === 0 ? 0n : BigInt(`0x${body.toString("hex")}`);

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const groups: number[] = [];
    for (let x = v; ; x = Math.floor(x / 128)) {
      groups.unshift(x % 128);
      if (x < 128) break;
    }
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(bytes));
}

export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"));
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b);
export const context = (n: number, constructed: boolean, ...parts: Buffer[]): Buffer =>
  tlv(0x80 | (constructed ? 0x20 : 0) | n, ...parts);

/** UTCTime before 2050, GeneralizedTime after, as RFC 5280 wants. */
export function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

export const pemOf = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der
    .toString("base64")
    .replace(/.{64}/g, "$&\n")
    .replace(/\n?$/, "\n")}-----END ${label}-----\n`;
