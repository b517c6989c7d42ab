/**
 * Sprig's urlParse and urlJoin over Go's net/url rules: Parse splits
 * scheme, opaque part, userinfo, host, path, query and fragment and
 * percent-decodes path, fragment and userinfo; String escapes them back
 * per component. Go strings are bytes: decoded bytes that are not UTF-8
 * stay surrogate-escaped (shared/go-string.ts).
 */
import { isIP } from "node:net";
import { bytesToGoString, goStringBytes } from "../../../../shared/go-string.ts";
import { FunctionError } from "../types.ts";
import { goQuote } from "../../go/fmt.ts";
import { kindName } from "./convert.ts";

type Mode = "path" | "segment" | "host" | "zone" | "userinfo" | "query" | "fragment";

const alnum = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
const isHexByte = (c: number | undefined): boolean =>
  c !== undefined && /^[0-9a-fA-F]$/.test(String.fromCharCode(c));

function shouldEscape(c: number, mode: Mode): boolean {
  if (alnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === "host" || mode === "zone") && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=?@".includes(ch)) {
    if (mode === "path") return ch === "?";
    if (mode === "segment") return "/;,?".includes(ch);
    if (mode === "userinfo") return "@/?:".includes(ch);
    if (mode === "query") return true;
    if (mode === "fragment") return false;
  }
  return !(mode === "fragment" && "!()*".includes(ch));
}

class UrlError extends Error {}

function unescape(s: string, mode: Mode): string {
  const b = goStringBytes(s);
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x25) {
      if (!isHexByte(b[i + 1]) || !isHexByte(b[i + 2]))
        throw new UrlError(
          `invalid URL escape ${goQuote(bytesToGoString([...b.subarray(i, i + 3)]))}`,
        );
      const v = parseInt(String.fromCharCode(b[i + 1]!, b[i + 2]!), 16);
      const seq = bytesToGoString([...b.subarray(i, i + 3)]);
      if (mode === "host" && v >> 4 < 8 && seq !== "%25")
        throw new UrlError(`invalid URL escape ${goQuote(seq)}`);
      if (mode === "zone" && seq !== "%25" && v !== 0x20 && shouldEscape(v, "host"))
        throw new UrlError(`invalid URL escape ${goQuote(seq)}`);
      out.push(v);
      i += 2;
    } else {
      if ((mode === "host" || mode === "zone") && c < 0x80 && shouldEscape(c, mode))
        throw new UrlError(`invalid character ${goQuote(String.fromCharCode(c))} in host name`);
      out.push(c === 0x2b && mode === "query" ? 0x20 : c);
    }
  }
  return bytesToGoString(out);
}

function escape(s: string, mode: Mode): string {
  let out = "";
  for (const c of goStringBytes(s)) {
    if (c === 0x20 && mode === "query") out += "+";
    else if (shouldEscape(c, mode)) out += "%" + c.toString(16).toUpperCase().padStart(2, "0");
    else out += String.fromCharCode(c);
  }
  return out;
}

interface Url {
  scheme: string;
  opaque: string;
  user: { name: string; password?: string } | undefined;
  host: string;
  path: string;
  query: string;
  fragment: string;
  omitHost: boolean;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === ":") {
      if (i === 0) throw new UrlError("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

const validPort = (p: string): boolean => p === "" || /^:[0-9]*$/.test(p);

function parseBracketHost(host: string): string {
  const close = host.lastIndexOf("]");
  if (close < 0) throw new UrlError("missing ']' in host");
  const colonPort = host.slice(close + 1);
  if (!validPort(colonPort)) throw new UrlError(`invalid port ${goQuote(colonPort)} after host`);
  const name = host.slice(1, close);
  const zone = name.indexOf("%25");
  const addr =
    zone >= 0
      ? unescape(name.slice(0, zone), "host") + unescape(name.slice(zone), "zone")
      : unescape(name, "host");
  const ip = addr.split("%")[0]!;
  if (isIP(ip) === 4) throw new UrlError("invalid IP-literal");
  if (isIP(ip) !== 6)
    throw new UrlError(`invalid host: ParseAddr(${goQuote(addr)}): unable to parse IP`);
  return `[${addr}]${unescape(colonPort, "host")}`;
}

function parseHost(scheme: string, host: string): string {
  const open = host.lastIndexOf("[");
  if (open > 0) throw new UrlError("invalid IP-literal");
  if (open === 0) return parseBracketHost(host);
  let i = host.indexOf(":");
  if (i >= 0) {
    if (scheme !== "http" && scheme !== "https") i = host.lastIndexOf(":");
    const colonPort = host.slice(i);
    if (!validPort(colonPort)) throw new UrlError(`invalid port ${goQuote(colonPort)} after host`);
  }
  return unescape(host, "host");
}

const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function parseAuthority(scheme: string, authority: string): Pick<Url, "user" | "host"> {
  const at = authority.lastIndexOf("@");
  const host = parseHost(scheme, authority.slice(at + 1));
  if (at < 0) return { user: undefined, host };
  const info = authority.slice(0, at);
  if (!USERINFO.test(info)) throw new UrlError("net/url: invalid userinfo");
  const colon = info.indexOf(":");
  if (colon < 0) return { user: { name: unescape(info, "userinfo") }, host };
  const name = unescape(info.slice(0, colon), "userinfo");
  return { user: { name, password: unescape(info.slice(colon + 1), "userinfo") }, host };
}

function parseRest(u: Url, rest: string): void {
  if (!rest.startsWith("/")) {
    if (u.scheme !== "") return void (u.opaque = rest);
    if ((rest.split("/")[0] ?? "").includes(":"))
      throw new UrlError("first path segment in URL cannot contain colon");
  }
  let path = rest;
  if ((u.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    path = slash < 0 ? "" : rest.slice(slash);
    Object.assign(u, parseAuthority(u.scheme, authority));
  } else if (u.scheme !== "" && rest.startsWith("/")) u.omitHost = true;
  u.path = unescape(path, "path");
}

/** url.Parse; Go's error text is `parse "URL": REASON`. */
function parse(raw: string): Url {
  const hash = raw.indexOf("#");
  const text = hash < 0 ? raw : raw.slice(0, hash);
  const where = (e: unknown, url: string): never => {
    if (e instanceof UrlError) throw new UrlError(`parse ${goQuote(url)}: ${e.message}`);
    throw e;
  };
  const u: Url = {
    ...{ scheme: "", opaque: "", user: undefined, host: "", path: "", query: "", fragment: "" },
    omitHost: false,
  };
  try {
    if ([...text].some((c) => c < " " || c === "\x7f"))
      throw new UrlError("net/url: invalid control character in URL");
    if (text === "*") u.path = "*";
    else {
      let rest: string;
      [u.scheme, rest] = getScheme(text);
      u.scheme = u.scheme.toLowerCase();
      const q = rest.indexOf("?");
      if (q >= 0) [rest, u.query] = [rest.slice(0, q), rest.slice(q + 1)];
      parseRest(u, rest);
    }
  } catch (e) {
    where(e, text);
  }
  try {
    if (hash >= 0) u.fragment = unescape(raw.slice(hash + 1), "fragment");
  } catch (e) {
    where(e, raw);
  }
  return u;
}

function userString(user: NonNullable<Url["user"]>): string {
  const name = escape(user.name, "userinfo");
  return user.password === undefined ? name : `${name}:${escape(user.password, "userinfo")}`;
}

/** URL.String for the fields urlJoin sets. */
function format(u: Url): string {
  let out = u.scheme ? `${u.scheme}:` : "";
  if (u.opaque) out += u.opaque;
  else {
    if (u.scheme || u.host || u.user) {
      if (u.host || u.path || u.user) out += "//";
      if (u.user) out += `${userString(u.user)}@`;
      if (u.host) out += escape(u.host, "host");
    }
    const path = u.path === "*" ? "*" : escape(u.path, "path");
    if (path !== "" && !path.startsWith("/") && u.host) out += "/";
    if (out === "" && (path.split("/")[0] ?? "").includes(":")) out += "./";
    out += path;
  }
  if (u.query) out += `?${u.query}`;
  if (u.fragment) out += `#${escape(u.fragment, "fragment")}`;
  return out;
}

/** URL.Hostname: the host without a numeric port and without IPv6 brackets. */
function hostname(host: string): string {
  const colon = host.lastIndexOf(":");
  let h = colon >= 0 && validPort(host.slice(colon)) ? host.slice(0, colon) : host;
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h;
}

export function urlParse(text: string): Record<string, unknown> {
  let u: Url;
  try {
    u = parse(text);
  } catch (e) {
    if (e instanceof UrlError) throw new FunctionError(`unable to parse url: ${e.message}`);
    throw e;
  }
  return {
    scheme: u.scheme,
    host: u.host,
    hostname: hostname(u.host),
    path: u.path,
    query: u.query,
    opaque: u.opaque,
    fragment: u.fragment,
    userinfo: u.user ? userString(u.user) : "",
  };
}

function field(d: Record<string, unknown> | null, key: string): string {
  if (d === null || !Object.hasOwn(d, key)) return "";
  const v = d[key];
  const kind = v === null || v === undefined ? undefined : kindName(v);
  if (kind === undefined)
    throw new FunctionError("runtime error: invalid memory address or nil pointer dereference");
  if (kind !== "string")
    throw new FunctionError(
      `unable to parse ${key} key, must be of type string, but ${kind} found`,
    );
  return typeof v === "string" ? v : String(v);
}

export function urlJoin(d: Record<string, unknown> | null): string {
  const info = field(d, "userinfo");
  let user: Url["user"];
  if (info !== "") {
    try {
      user = parse(`proto://${info}@host`).user;
    } catch (e) {
      if (e instanceof UrlError)
        throw new FunctionError(`unable to parse userinfo in dict: ${e.message}`);
      throw e;
    }
  }
  return format({
    scheme: field(d, "scheme"),
    host: field(d, "host"),
    path: field(d, "path"),
    query: field(d, "query"),
    opaque: field(d, "opaque"),
    fragment: field(d, "fragment"),
    user,
    omitHost: false,
  });
}
