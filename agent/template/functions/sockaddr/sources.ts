/**
 * go-sockaddr's functions that start a pipeline from the host's addresses
 * (GetAllInterfaces, GetPrivateIP, ...), over plain data.
 */
import { FunctionError } from "../types.ts";
import { attribute } from "./attributes.ts";
import { filter } from "./filters.ts";
import { FLAG_UP, IfAddr, type HostNetwork } from "./ifaddr.ts";
import { ipText } from "./ip.ts";
import { isForwardable, isRfc } from "./rfc.ts";
import { byDefault, SORT, sortBy, sortWith } from "./sort.ts";

const defaultName = (host: HostNetwork): string | undefined =>
  "name" in host.defaultRoute ? host.defaultRoute.name : undefined;

export const allInterfaces = (host: HostNetwork): IfAddr[] => host.addrs.map((a) => new IfAddr(a));

export function defaultInterfaces(host: HostNetwork): IfAddr[] {
  if (!("name" in host.defaultRoute)) throw new FunctionError(host.defaultRoute.error);
  const name = host.defaultRoute.name;
  return allInterfaces(host).filter((a) => a.iface.name === name);
}

/** Forwardable addresses on interfaces that are up, default route first, then by family and network size. */
function candidates(host: HostNetwork): IfAddr[] {
  const usable = allInterfaces(host).filter(
    (a) => isForwardable(a.ip) && (a.iface.flags & FLAG_UP) !== 0,
  );
  return sortWith([byDefault(defaultName(host)), SORT.byType, SORT.bySize], usable);
}

export const privateInterfaces = (host: HostNetwork): IfAddr[] =>
  candidates(host).filter((a) => isRfc(6890, a.ip));

export const publicInterfaces = (host: HostNetwork): IfAddr[] =>
  candidates(host).filter((a) => !isRfc(6890, a.ip));

const address = (a: IfAddr): string => ipText(a.ip.family, a.ip.value);
const first = (addrs: readonly IfAddr[]): string => (addrs[0] ? address(addrs[0]) : "");

export const privateIP = (host: HostNetwork): string => first(privateInterfaces(host));
export const publicIP = (host: HostNetwork): string => first(publicInterfaces(host));

function byTypeAndSize(host: HostNetwork): IfAddr[] {
  return sortWith([SORT.byType, SORT.bySize], allInterfaces(host));
}

export function privateIPs(host: HostNetwork): string {
  const addrs = byTypeAndSize(host).filter((a) => isRfc(6890, a.ip) && isForwardable(a.ip));
  return addrs.map(address).join(" ");
}

export function publicIPs(host: HostNetwork): string {
  return byTypeAndSize(host)
    .filter((a) => !isRfc(6890, a.ip))
    .map(address)
    .join(" ");
}

export function interfaceIP(host: HostNetwork, nameRe: string): string {
  const named = filter("include", "name", nameRe, allInterfaces(host));
  const forwardable = filter("include", "flag", "forwardable", named);
  return first(sortBy("+type,+size", forwardable, defaultName(host)));
}

export function interfaceIPs(host: HostNetwork, nameRe: string): string {
  const named = filter("include", "name", nameRe, allInterfaces(host));
  return sortBy("+type,+size", named, defaultName(host)).map(address).join(" ");
}

export { attribute };
