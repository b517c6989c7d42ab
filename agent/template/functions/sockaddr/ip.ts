/**
 * IP addresses as go-sockaddr sees them: an address with a prefix length
 * (an interface's address keeps its network's mask), printed the way Go's
 * net.IP prints (dotted IPv4, RFC 5952 IPv6) and compared as integers.
 */
import { isIP } from "node:net";

export interface IpAddr {
  family: 4 | 6;
  /** the address as an unsigned integer (32 or 128 bits) */
  value: bigint;
  /** prefix length: 32 or 128 for a single host */
  bits: number;
}

export const familyBits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

function parseV4(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseV6(text: string): bigint {
  // an embedded IPv4 tail becomes its two hex groups
  const body = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) => {
    const hi = (Number(a) << 8) | Number(b);
    const lo = (Number(c) << 8) | Number(d);
    return `${hi.toString(16)}:${lo.toString(16)}`;
  });
  const [head, rest] = body.split("::") as [string, string | undefined];
  const groups = (s: string): number[] =>
    s === "" ? [] : s.split(":").map((g) => parseInt(g, 16));
  const front = groups(head);
  const back = rest === undefined ? [] : groups(rest);
  const zeros = rest === undefined ? 0 : 8 - front.length - back.length;
  const all = [...front, ...Array<number>(zeros).fill(0), ...back];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** "a.b.c.d", "a.b.c.d/n", an IPv6 address with an optional /n; undefined when it is none of these. */
export function parseIpAddr(text: string): IpAddr | undefined {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family !== 4 && family !== 6) return undefined;
  const max = familyBits(family);
  let bits = max;
  if (slash >= 0) {
    const prefix = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
    bits = Number(prefix);
  }
  return { family, value: family === 4 ? parseV4(address) : parseV6(address), bits };
}

export function maskOf(ip: IpAddr): bigint {
  const max = familyBits(ip.family);
  const all = (1n << BigInt(max)) - 1n;
  return all ^ ((1n << BigInt(max - ip.bits)) - 1n);
}

export const networkValue = (ip: IpAddr): bigint => ip.value & maskOf(ip);
export const broadcastValue = (ip: IpAddr): bigint =>
  networkValue(ip) | (((1n << BigInt(familyBits(ip.family))) - 1n) ^ maskOf(ip));

function v4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
}

/** Go's net.IP String: IPv4-mapped IPv6 addresses print dotted, the longest zero run (two groups or more) becomes "::". */
export function ipText(family: 4 | 6, value: bigint): string {
  if (family === 4) return v4Text(value);
  if (value >> 32n === 0xffffn) return v4Text(value & 0xffffffffn);
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** go-sockaddr's String: the bare address for a single host, else address/prefix. */
export function sockAddrText(ip: IpAddr): string {
  const text = ipText(ip.family, ip.value);
  return ip.bits === familyBits(ip.family) ? text : `${text}/${ip.bits}`;
}

/** Whether network `outer` holds all of `inner`'s network (same family only). */
export function containsNetwork(outer: IpAddr, inner: IpAddr): boolean {
  if (outer.family !== inner.family) return false;
  return (
    networkValue(outer) <= networkValue(inner) && broadcastValue(outer) >= broadcastValue(inner)
  );
}
