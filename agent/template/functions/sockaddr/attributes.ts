/**
 * go-sockaddr's attributes of an interface address (`attr`, `join`): the
 * interface's name and flags, then the address's own attributes.
 */
import { goQuote } from "../../go/fmt.ts";
import { FunctionError } from "../types.ts";
import { flagsText, type IfAddr } from "./ifaddr.ts";
import {
  broadcastValue,
  familyBits,
  ipText,
  maskOf,
  networkValue,
  sockAddrText,
  type IpAddr,
} from "./ip.ts";

const bare = (ip: IpAddr, value: bigint): string => ipText(ip.family, value);

function octets(ip: IpAddr): string {
  const count = familyBits(ip.family) / 8;
  return Array.from({ length: count }, (_, i) =>
    String((ip.value >> BigInt(8 * (count - 1 - i))) & 0xffn),
  ).join(" ");
}

const digits = (ip: IpAddr, radix: number, width: number): string =>
  ip.value.toString(radix).padStart(width / (ip.family === 4 ? 4 : 1), "0");

/** IPv4 skips the network and broadcast addresses, except in /31 and /32 */
function firstUsable(ip: IpAddr): string {
  const skip = ip.family === 4 && ip.bits < 31 ? 1n : 0n;
  return bare(ip, networkValue(ip) + skip);
}

function lastUsable(ip: IpAddr): string {
  const skip = ip.family === 4 && ip.bits < 31 ? 1n : 0n;
  return bare(ip, broadcastValue(ip) - skip);
}

const IP_ATTRIBUTES: Record<string, (ip: IpAddr) => string> = {
  address: (ip) => bare(ip, ip.value),
  binary: (ip) => digits(ip, 2, 128),
  first_usable: firstUsable,
  hex: (ip) => digits(ip, 16, 32),
  last_usable: lastUsable,
  host: (ip) => bare(ip, ip.value),
  mask_bits: (ip) => String(ip.bits),
  netmask: (ip) => bare(ip, maskOf(ip)),
  network: (ip) => bare(ip, networkValue(ip)),
  octets,
  port: () => "0",
  size: (ip) => String(1n << BigInt(familyBits(ip.family) - ip.bits)),
  string: sockAddrText,
  type: (ip) => (ip.family === 4 ? "IPv4" : "IPv6"),
};

const V4_ATTRIBUTES: Record<string, (ip: IpAddr) => string> = {
  broadcast: (ip) => bare(ip, networkValue(ip) | (0xffffffffn ^ maskOf(ip))),
  uint32: (ip) => String(ip.value),
};

const V6_ATTRIBUTES: Record<string, (ip: IpAddr) => string> = {
  uint128: (ip) => String(ip.value),
};

/** One attribute of one address; the name is matched without regard to case, as go-sockaddr does. */
export function attribute(selectorName: string, addr: IfAddr): string {
  const name = selectorName.toLowerCase();
  if (name === "name" && addr.iface.name !== "") return addr.iface.name;
  if (name === "flags") return flagsText(addr.iface.flags);
  const own = addr.ip.family === 4 ? V4_ATTRIBUTES : V6_ATTRIBUTES;
  const fn = Object.hasOwn(IP_ATTRIBUTES, name)
    ? IP_ATTRIBUTES[name]
    : Object.hasOwn(own, name)
      ? own[name]
      : undefined;
  if (fn) return fn(addr.ip);
  throw new FunctionError(`unsupported attribute name ${goQuote(name)}`);
}
