/**
 * One address on one network interface, as plain data (the host's
 * interfaces are read elsewhere, in host.ts), and how Go prints it.
 */
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

/** A template value: prints as Go's fmt prints a sockaddr.IfAddr. */
export class IfAddr {
  readonly ip: IpAddr;
  readonly iface: InterfaceInfo;
  constructor(data: IfAddrData) {
    this.ip = data.ip;
    this.iface = data.iface;
  }
  toString(): string {
    const i = this.iface;
    return `${sockAddrText(this.ip)} {${i.index} ${i.mtu} ${i.name} ${i.hardwareAddr} ${flagsText(i.flags)}}`;
  }
}
