/**
 * The edge: the host's interfaces and its default route, read once per
 * `sockaddr` call from node:os, /sys/class/net and /proc/net/route (what Go
 * learns from netlink and `ip route`). Everything else works on the plain
 * data this returns.
 */
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import {
  FLAG_BROADCAST,
  FLAG_LOOPBACK,
  FLAG_MULTICAST,
  FLAG_POINT_TO_POINT,
  FLAG_RUNNING,
  FLAG_UP,
  type HostNetwork,
  type IfAddrData,
  type InterfaceInfo,
} from "./ifaddr.ts";
import { parseIpAddr } from "./ip.ts";

const NO_DEFAULT = "No default interface found";

function sysValue(name: string, file: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${name}/${file}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Linux IFF_* bits to Go's net.Flags; running as the kernel reports it (up and operationally up or unknown). */
export function goFlags(iff: number, operstate: string | undefined): number {
  let f = 0;
  if (iff & 0x1) f |= FLAG_UP;
  if (iff & 0x2) f |= FLAG_BROADCAST;
  if (iff & 0x8) f |= FLAG_LOOPBACK;
  if (iff & 0x10) f |= FLAG_POINT_TO_POINT;
  if (iff & 0x1000) f |= FLAG_MULTICAST;
  if (iff & 0x1 && (operstate === "up" || operstate === "unknown")) f |= FLAG_RUNNING;
  return f;
}

function interfaceInfo(name: string, mac: string, internal: boolean): InterfaceInfo {
  const iff = Number(sysValue(name, "flags") ?? (internal ? 0x9 : 0x1));
  return {
    index: Number(sysValue(name, "ifindex") ?? 0),
    mtu: Number(sysValue(name, "mtu") ?? 0),
    name,
    hardwareAddr: /^[0:]*$/.test(mac) ? "" : mac,
    flags: goFlags(iff, sysValue(name, "operstate") ?? "unknown"),
  };
}

function readAddrs(): IfAddrData[] {
  const out: IfAddrData[] = [];
  const all = Object.entries(networkInterfaces()).map(([name, addrs]) => {
    const list = addrs ?? [];
    return { info: interfaceInfo(name, list[0]?.mac ?? "", list[0]?.internal ?? false), list };
  });
  all.sort((a, b) => a.info.index - b.info.index);
  for (const { info, list } of all) {
    for (const a of list) {
      const ip = a.cidr ? parseIpAddr(a.cidr) : undefined;
      if (ip) out.push({ ip, iface: info });
    }
  }
  return out;
}

/** The interface of the first IPv4 default route through a gateway, from /proc/net/route's text. */
export function defaultRouteFrom(routeTable: string): HostNetwork["defaultRoute"] {
  for (const line of routeTable.split("\n").slice(1)) {
    const [iface, dest, , flags, , , , mask] = line.trim().split(/\s+/);
    if (!iface || dest !== "00000000" || mask !== "00000000") continue;
    if ((parseInt(flags ?? "0", 16) & 0x3) === 0x3) return { name: iface };
  }
  return { error: NO_DEFAULT };
}

export function readHostNetwork(): HostNetwork {
  let routes = "";
  try {
    routes = readFileSync("/proc/net/route", "utf8");
  } catch {
    // no route table to read: no default interface, as when `ip route` shows none
  }
  return { addrs: readAddrs(), defaultRoute: defaultRouteFrom(routes) };
}
