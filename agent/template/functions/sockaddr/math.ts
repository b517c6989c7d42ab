/**
 * go-sockaddr's `math`: move an address within the address space
 * ("address"), within its own network ("network"), or narrow its mask
 * ("mask"), with Go's integer wrap-around.
 */
import { goQuote } from "../../go/fmt.ts";
import { FunctionError } from "../types.ts";
import { IfAddr } from "./ifaddr.ts";
import { broadcastValue, familyBits, maskOf, networkValue, type IpAddr } from "./ip.ts";

const SIGN = /^\s*[+-]/;

/** strconv.ParseInt / ParseUint with a bit size: the value, or Go's error text. */
function goParseInt(text: string, bits: number, unsigned: boolean): bigint | string {
  const fn = unsigned ? "ParseUint" : "ParseInt";
  const re = unsigned ? /^[0-9]+$/ : /^[+-]?[0-9]+$/;
  if (!re.test(text)) return `strconv.${fn}: parsing ${goQuote(text)}: invalid syntax`;
  const n = BigInt(text);
  const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
  if (n > max || n < min) return `strconv.${fn}: parsing ${goQuote(text)}: value out of range`;
  return n;
}

function number(op: string, value: string, bits: number, unsigned = false): bigint {
  const n = goParseInt(value, bits, unsigned);
  if (typeof n === "string")
    throw new FunctionError(
      `unable to convert ${goQuote(value)} to int for operation ${goQuote(op)}: ${n}`,
    );
  return n;
}

const wrap = (ip: IpAddr, v: bigint): bigint => BigInt.asUintN(familyBits(ip.family), v);

function moveNetwork(ip: IpAddr, i: bigint, op: string): bigint {
  const hostBits = wrap(ip, ~maskOf(ip));
  if (ip.family === 4) {
    const step = i >= 0n ? i : 1n + i + hostBits;
    return wrap(ip, networkValue(ip) + (BigInt.asUintN(32, step) & hostBits));
  }
  if (i > 0n) return networkValue(ip) + (i & hostBits);
  if (i === 0n)
    throw new FunctionError(
      `math ${goQuote(op)} by 0 on an IPv6 address is not supported by vaultlet (go-sockaddr's result is not an address)`,
    );
  return broadcastValue(ip) - ((-i - 1n) & hostBits);
}

function applyMath(operation: string, value: string, ip: IpAddr): IpAddr {
  const op = operation.toLowerCase();
  if (op === "address" || op === "network") {
    if (!SIGN.test(value))
      throw new FunctionError(`sign (+/-) is required for operation ${goQuote(operation)}`);
    const i = number(operation, value, ip.family === 4 ? 33 : 64);
    if (op === "address") return { ...ip, value: wrap(ip, ip.value + i) };
    return { ...ip, value: moveNetwork(ip, i, operation) };
  }
  if (op === "mask") {
    const bits = Number(number(operation, value, 32, true));
    const max = familyBits(ip.family);
    if (bits > max)
      throw new FunctionError(
        `parameter for operation ${goQuote(operation)} on ipv${ip.family} addresses must be between 0 and ${ip.family === 4 ? 32 : 64}`,
      );
    const narrowed: IpAddr = { ...ip, bits };
    return { family: ip.family, value: ip.value & maskOf(narrowed), bits: Math.min(bits, ip.bits) };
  }
  throw new FunctionError(`unsupported math operation: ${goQuote(operation)}`);
}

export function ifAddrsMath(operation: string, value: string, addrs: readonly IfAddr[]): IfAddr[] {
  return addrs.map((a) => {
    try {
      return new IfAddr({ ip: applyMath(operation, value, a.ip), iface: a.iface });
    } catch (e) {
      if (!(e instanceof FunctionError)) throw e;
      throw new FunctionError(
        `unable to perform an IPMath operation on ${a.toString()}: ${e.message}`,
      );
    }
  });
}
