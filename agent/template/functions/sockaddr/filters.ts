/**
 * go-sockaddr's `include` and `exclude`: each selector splits the addresses
 * into those that match and the rest, keeping their order.
 */
import { goQuote } from "../../go/fmt.ts";
import { FunctionError } from "../types.ts";
import {
  FLAG_BROADCAST,
  FLAG_LOOPBACK,
  FLAG_MULTICAST,
  FLAG_POINT_TO_POINT,
  FLAG_UP,
  type IfAddr,
} from "./ifaddr.ts";
import { containsNetwork, familyBits, parseIpAddr, sockAddrText, type IpAddr } from "./ip.ts";
import { isForwardable, isRfc, rfcNetworks } from "./rfc.ts";

type Split = [matched: IfAddr[], rest: IfAddr[]];

function split(addrs: readonly IfAddr[], test: (a: IfAddr) => boolean): Split {
  const out: Split = [[], []];
  for (const a of addrs) out[test(a) ? 0 : 1].push(a);
  return out;
}

/**
 * go-sockaddr matches with Go's RE2; JavaScript's RegExp agrees on the
 * patterns configs use once Go's leading flag group (`(?i)eth`) becomes a
 * modifier group over the whole pattern (`(?i:eth)`).
 */
function regex(kind: string, pattern: string): RegExp {
  const flagged = /^\(\?([ims]+)\)([\s\S]*)$/.exec(pattern);
  try {
    return new RegExp(flagged ? `(?${flagged[1]}:${flagged[2]})` : pattern);
  } catch (e) {
    throw new FunctionError(
      `Unable to compile ${kind} regexp ${goQuote(pattern, true)}: ${(e as Error).message}`,
    );
  }
}

const isLinkLocalUnicast = (ip: IpAddr) =>
  ip.family === 4 ? ip.value >> 16n === 0xa9fen : ip.value >> 118n === 0x3fan;
const isMulticast = (ip: IpAddr) =>
  ip.family === 4 ? ip.value >> 28n === 0xen : ip.value >> 120n === 0xffn;
const isLinkLocalMulticast = (ip: IpAddr) =>
  ip.family === 4 ? ip.value >> 8n === 0xe00000n : ip.value >> 112n === 0xff02n;
const isInterfaceLocalMulticast = (ip: IpAddr) => ip.family === 6 && ip.value >> 112n === 0xff01n;
const isLoopback = (ip: IpAddr) => (ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n);
const isUnspecified = (ip: IpAddr) => ip.value === 0n;
const isBroadcast = (ip: IpAddr) => ip.family === 4 && ip.value === 0xffffffffn;
const isGlobalUnicast = (ip: IpAddr) =>
  !isUnspecified(ip) &&
  !isBroadcast(ip) &&
  !isLoopback(ip) &&
  !isMulticast(ip) &&
  !isLinkLocalUnicast(ip);

const ADDRESS_TESTS: Record<string, (ip: IpAddr) => boolean> = {
  forwardable: isForwardable,
  "global unicast": isGlobalUnicast,
  "interface-local multicast": isInterfaceLocalMulticast,
  "link-local multicast": isLinkLocalMulticast,
  "link-local unicast": isLinkLocalUnicast,
  loopback: isLoopback,
  multicast: isMulticast,
  unspecified: isUnspecified,
};

const FLAG_BITS: Record<string, number> = {
  broadcast: FLAG_BROADCAST,
  loopback: FLAG_LOOPBACK,
  multicast: FLAG_MULTICAST,
  "point-to-point": FLAG_POINT_TO_POINT,
  up: FLAG_UP,
};

/** An address matches when its interface has every flag named, or its address has any trait named. */
function byFlag(param: string, addrs: readonly IfAddr[]): Split {
  let bits = 0;
  let checkFlags = false;
  const traits: Array<(ip: IpAddr) => boolean> = [];
  for (const name of param.toLowerCase().split("|")) {
    const known = Object.hasOwn(FLAG_BITS, name) || Object.hasOwn(ADDRESS_TESTS, name);
    if (!known && name !== "down")
      throw new FunctionError(`Unknown interface flag: ${goQuote(name, true)}`);
    if (name === "down") {
      checkFlags = true;
      bits &= ~FLAG_UP;
    }
    if (Object.hasOwn(FLAG_BITS, name)) {
      checkFlags = true;
      bits |= FLAG_BITS[name]!;
    }
    if (Object.hasOwn(ADDRESS_TESTS, name)) traits.push(ADDRESS_TESTS[name]!);
  }
  return split(
    addrs,
    (a) => (checkFlags && (a.iface.flags & bits) === bits) || traits.some((test) => test(a.ip)),
  );
}

function byRfc(param: string, addrs: readonly IfAddr[]): Split {
  const out: Split = [[], []];
  for (const text of param.split("|")) {
    const wrap = (m: string) => `unable to lookup RFC number ${goQuote(text)}: ${m}`;
    if (!/^\d+$/.test(text) || BigInt(text) > 0xffffffffffffffffn)
      throw new FunctionError(
        wrap(
          `unable to parse RFC number ${goQuote(text)}: strconv.ParseUint: parsing ${goQuote(text)}: invalid syntax`,
        ),
      );
    const rfc = Number(text);
    if (!rfcNetworks(rfc)) throw new FunctionError(wrap(`unsupported RFC ${BigInt(text)}`));
    const [m, r] = split(addrs, (a) => isRfc(rfc, a.ip));
    out[0].push(...m);
    out[1].push(...r);
  }
  return out;
}

function byType(param: string, addrs: readonly IfAddr[]): Split {
  const types = param.toLowerCase().split("|");
  for (const t of types) {
    if (!["ip", "ipv4", "ipv6", "unix"].includes(t))
      throw new FunctionError(`unsupported type ${goQuote(t)} ${goQuote(param)}`);
  }
  const out: Split = [[], []];
  for (const a of addrs) {
    for (const t of types) {
      const hit = t === "ip" || t === `ipv${a.ip.family}`;
      out[hit ? 0 : 1].push(a);
    }
  }
  return out;
}

function byNetwork(param: string, addrs: readonly IfAddr[]): Split {
  const out: Split = [[], []];
  for (const text of param.split("|")) {
    const net = parseIpAddr(text);
    if (!net)
      throw new FunctionError(
        `unable to create an IP address from ${goQuote(text, true)}: invalid IPAddr ${text}`,
      );
    const [m, r] = split(addrs, (a) => containsNetwork(net, a.ip));
    out[0].push(...m);
    out[1].push(...r);
  }
  return out;
}

function bySize(param: string, addrs: readonly IfAddr[]): Split {
  if (!/^\d+$/.test(param))
    throw new FunctionError(
      `invalid exclude size argument (${goQuote(param)}): strconv.ParseUint: parsing ${goQuote(param)}: invalid syntax`,
    );
  const size = Number(param);
  for (const a of addrs) {
    if (size > familyBits(a.ip.family))
      throw new FunctionError(`mask size out of bounds for IPv${a.ip.family} address: ${size}`);
  }
  return split(addrs, (a) => a.ip.bits === size);
}

const SELECTORS: Record<string, (param: string, addrs: readonly IfAddr[]) => Split> = {
  address: (p, addrs) => {
    const re = regex("address", p);
    return split(addrs, (a) => re.test(sockAddrText(a.ip)));
  },
  flag: byFlag,
  flags: byFlag,
  name: (p, addrs) => {
    const re = regex("name", p);
    return split(addrs, (a) => re.test(a.iface.name));
  },
  network: byNetwork,
  port: (p, addrs) => {
    const re = regex("port", p);
    return split(addrs, () => re.test("0"));
  },
  rfc: byRfc,
  rfcs: byRfc,
  size: bySize,
  type: byType,
};

/** `include` (keep = 0) or `exclude` (keep = 1) by one selector. */
export function filter(
  kind: "include" | "exclude",
  selectorName: string,
  param: string,
  addrs: readonly IfAddr[],
): IfAddr[] {
  const name = selectorName.toLowerCase();
  const selector = Object.hasOwn(SELECTORS, name) ? SELECTORS[name] : undefined;
  if (!selector) throw new FunctionError(`invalid ${kind} selector ${goQuote(selectorName)}`);
  return selector(param, addrs)[kind === "include" ? 0 : 1];
}

export { isForwardable };
