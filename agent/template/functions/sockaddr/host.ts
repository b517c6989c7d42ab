/**
 * The edge: the host's interfaces and its default route, read once per
 * `sockaddr` call (what Go learns from netlink and `ip route`). Addresses
 * come from `ip -j addr show`, which lists every interface; without the
 * `ip` command, from node:os, which leaves out interfaces that are down or
 * have no carrier. Flags come from /sys/class/net, the default route from
 * /proc/net/route. Everything else works on the plain data this returns.
 */
import { execFileSync } from "node:child_process";
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
import { parseJson } from "../../../../shared/json.ts";
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
    hardwareAddr: hardwareText(mac),
    flags: goFlags(iff, sysValue(name, "operstate") ?? "unknown"),
  };
}

/** A link address as Go prints a net.HardwareAddr: hex bytes, or nothing when all zero. */
export function hardwareText(address: string | undefined): string {
  if (!address) return "";
  let text = address.toLowerCase();
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2})*$/.test(text)) {
    // tunnels show an IP address as their link address; Go prints its bytes
    const ip = parseIpAddr(address);
    if (!ip) return "";
    const hex = ip.value.toString(16).padStart(ip.family === 4 ? 8 : 32, "0");
    text = hex.match(/../g)!.join(":");
  }
  return /^[0:]*$/.test(text) ? "" : text;
}

interface IpLink {
  ifindex?: number;
  ifname?: string;
  mtu?: number;
  address?: string;
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}

/** `ip -j addr show`'s interfaces, in index order as Go lists them. */
export function addrsFromIpJson(text: string, flagsOf: (name: string) => number): IfAddrData[] {
  const links = parseJson(text) as IpLink[];
  const out: IfAddrData[] = [];
  for (const link of [...links].sort((a, b) => (a.ifindex ?? 0) - (b.ifindex ?? 0))) {
    const name = link.ifname ?? "";
    const iface: InterfaceInfo = {
      index: link.ifindex ?? 0,
      mtu: link.mtu ?? 0,
      name,
      hardwareAddr: hardwareText(link.address),
      flags: flagsOf(name),
    };
    for (const a of link.addr_info ?? []) {
      if (a.family !== "inet" && a.family !== "inet6") continue;
      const ip = parseIpAddr(`${a.local ?? ""}/${a.prefixlen ?? ""}`);
      if (ip) out.push({ ip, iface });
    }
  }
  return out;
}

function sysFlags(name: string): number {
  return goFlags(Number(sysValue(name, "flags") ?? 0), sysValue(name, "operstate"));
}

function readAddrsWithIp(): IfAddrData[] | undefined {
  try {
    const text = execFileSync("ip", ["-j", "addr", "show"], {
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return addrsFromIpJson(text, sysFlags);
  } catch {
    // no `ip` command (as in vaultlet's own image), or output it cannot read
    return undefined;
  }
}

function readAddrsWithNode(): IfAddrData[] {
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
  const addrs = readAddrsWithIp() ?? readAddrsWithNode();
  return { addrs, defaultRoute: defaultRouteFrom(routes) };
}
