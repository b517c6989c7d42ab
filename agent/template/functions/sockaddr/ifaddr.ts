/**
 * One address on one network interface, as plain data (the host's
 * interfaces are read elsewhere, in host.ts), and how Go prints it.
 */
import { define } from "../types.ts";
import { GO_TYPE, METHODS, type MethodTable } from "../values.ts";
import { sockAddrText, type IpAddr } from "./ip.ts";

/** Go's net.Flags bits, in the order Go names them. */
export const FLAG_NAMES = ["up", "broadcast", "loopback", "pointtopoint", "multicast", "running"];
export const FLAG_UP = 1;
export const FLAG_BROADCAST = 2;
export const FLAG_LOOPBACK = 4;
export const FLAG_POINT_TO_POINT = 8;
export const FLAG_MULTICAST = 16;
export const FLAG_RUNNING = 32;

export interface InterfaceInfo {
  index: number;
  mtu: number;
  name: string;
  /** "aa:bb:..." or "" when the interface has none (all zero, as on loopback) */
  hardwareAddr: string;
  /** Go's net.Flags bits */
  flags: number;
}

export interface IfAddrData {
  ip: IpAddr;
  iface: InterfaceInfo;
}

/** What the pipeline knows about the host. */
export interface HostNetwork {
  /** every address of every interface, interfaces by index */
  addrs: readonly IfAddrData[];
  /** the interface of the IPv4 default route, or why there is none */
  defaultRoute: { name: string } | { error: string };
}

export function flagsText(flags: number): string {
  const names = FLAG_NAMES.filter((_, i) => (flags & (1 << i)) !== 0);
  return names.length ? names.join("|") : "0";
}

/** Go's net.Interface as a template value: its fields, and its printed form. */
class NetInterface {
  readonly [METHODS]: MethodTable;
  readonly [GO_TYPE] = "net.Interface";
  readonly #text: string;
  constructor(i: InterfaceInfo) {
    this.#text = `{${i.index} ${i.mtu} ${i.name} ${i.hardwareAddr} ${flagsText(i.flags)}}`;
    this[METHODS] = {
      Index: define([], () => i.index),
      MTU: define([], () => i.mtu),
      Name: define([], () => i.name),
      HardwareAddr: define([], () => i.hardwareAddr),
      Flags: define([], () => flagsText(i.flags)),
    };
  }
  toString(): string {
    return this.#text;
  }
}

/**
 * A template value: prints as Go's fmt prints a sockaddr.IfAddr, and offers
 * its fields (the address as SockAddr, the interface's fields directly or
 * through Interface), as Go's embedded structs do.
 */
export class IfAddr {
  readonly ip: IpAddr;
  readonly iface: InterfaceInfo;
  readonly [METHODS]: MethodTable;
  readonly [GO_TYPE] = "sockaddr.IfAddr";
  readonly #netInterface: NetInterface;
  constructor(data: IfAddrData) {
    this.ip = data.ip;
    this.iface = data.iface;
    const netInterface = new NetInterface(data.iface);
    this.#netInterface = netInterface;
    this[METHODS] = {
      ...netInterface[METHODS],
      Interface: define([], () => netInterface),
      SockAddr: define([], () => sockAddrText(data.ip)),
      String: define([], () => this.toString()),
    };
  }
  toString(): string {
    return `${sockAddrText(this.ip)} ${this.#netInterface.toString()}`;
  }
}
