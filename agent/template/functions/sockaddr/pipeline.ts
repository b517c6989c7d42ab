/**
 * The functions a go-sockaddr template can call, as a template function
 * table over one snapshot of the host's network (plain data).
 */
import { goQuote } from "../../go/fmt.ts";
import { define, FunctionError, type TemplateFunction } from "../types.ts";
import { goTypeName } from "../values.ts";
import { attribute } from "./attributes.ts";
import { filter } from "./filters.ts";
import { IfAddr, type HostNetwork } from "./ifaddr.ts";
import * as src from "./sources.ts";
import { ifAddrsMath } from "./math.ts";
import { sortBy } from "./sort.ts";

function ifAddrs(v: unknown): IfAddr[] {
  if (Array.isArray(v) && v.every((x) => x instanceof IfAddr)) return v as IfAddr[];
  throw new FunctionError(`wrong type for value; expected sockaddr.IfAddrs; got ${goTypeName(v)}`);
}

export function unique(selectorName: string, addrs: readonly IfAddr[]): IfAddr[] {
  const name = selectorName.toLowerCase();
  if (name !== "address" && name !== "name")
    throw new FunctionError(`unsupported unique constraint ${goQuote(selectorName, true)}`);
  const out: IfAddr[] = [];
  let last = "";
  for (const a of addrs) {
    const key = name === "name" ? a.iface.name : attribute("string", a);
    if (last === "" || last !== key) out.push(a);
    last = key;
  }
  return out;
}

export function offset(off: number, addrs: readonly IfAddr[]): IfAddr[] {
  const n = Math.abs(off);
  if (n > addrs.length)
    throw new FunctionError(
      `unable to seek past the end of the interface array: offset (${n}) exceeds the number of interfaces (${addrs.length})`,
    );
  return off < 0 ? addrs.slice(addrs.length - n) : addrs.slice(n);
}

function attr(selectorName: string, v: unknown): string {
  if (v instanceof IfAddr) return attribute(selectorName, v);
  if (Array.isArray(v) && v.every((x) => x instanceof IfAddr)) {
    return v.length === 0 ? "" : attribute(selectorName, v[0] as IfAddr);
  }
  throw new FunctionError(
    `unable to obtain attribute ${selectorName} from type ${goTypeName(v)} (${String(v)})`,
  );
}

const S = "string" as const;
const A = "any" as const;

/** Every function go-sockaddr's templates define, bound to one host snapshot. */
export function sockaddrFunctions(host: HostNetwork): Record<string, TemplateFunction> {
  const def = "name" in host.defaultRoute ? host.defaultRoute.name : undefined;
  return {
    GetAllInterfaces: define([], () => src.allInterfaces(host)),
    GetDefaultInterfaces: define([], () => src.defaultInterfaces(host)),
    GetPrivateInterfaces: define([], () => src.privateInterfaces(host)),
    GetPublicInterfaces: define([], () => src.publicInterfaces(host)),
    GetPrivateIP: define([], () => src.privateIP(host)),
    GetPrivateIPs: define([], () => src.privateIPs(host)),
    GetPublicIP: define([], () => src.publicIP(host)),
    GetPublicIPs: define([], () => src.publicIPs(host)),
    GetInterfaceIP: define([S], (re: string) => src.interfaceIP(host, re)),
    GetInterfaceIPs: define([S], (re: string) => src.interfaceIPs(host, re)),
    sort: define([S, A], (p: string, v: unknown) => sortBy(p, ifAddrs(v), def)),
    include: define([S, S, A], (n: string, p: string, v: unknown) =>
      filter("include", n, p, ifAddrs(v)),
    ),
    exclude: define([S, S, A], (n: string, p: string, v: unknown) =>
      filter("exclude", n, p, ifAddrs(v)),
    ),
    attr: define([S, A], attr),
    join: define([S, S, A], (n: string, sep: string, v: unknown) =>
      ifAddrs(v)
        .map((a) => attribute(n, a))
        .join(sep),
    ),
    limit: define(["uint32", A], (n: number, v: unknown) => ifAddrs(v).slice(0, n)),
    offset: define(["int", A], (n: number, v: unknown) => offset(n, ifAddrs(v))),
    unique: define([S, A], (n: string, v: unknown) => unique(n, ifAddrs(v))),
    math: define([S, S, A], (op: string, value: string, v: unknown) =>
      ifAddrsMath(op, value, ifAddrs(v)),
    ),
  };
}

export const SOCKADDR_FUNCTION_NAMES: readonly string[] = Object.keys(
  sockaddrFunctions({ addrs: [], defaultRoute: { error: "" } }),
);
