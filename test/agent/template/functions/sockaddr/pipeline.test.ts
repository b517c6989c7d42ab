/**
 * The go-sockaddr pipeline over fixed interface data (no host I/O):
 * private/public classification, Go's sort order, attributes, filters and
 * the errors go-sockaddr reports. The expected values are what go-sockaddr
 * v1.0.7's template package renders from the same addresses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderSockaddr } from "../../../../../agent/template/functions/sockaddr/template.ts";
import type {
  HostNetwork,
  IfAddrData,
  InterfaceInfo,
} from "../../../../../agent/template/functions/sockaddr/ifaddr.ts";
import { parseIpAddr } from "../../../../../agent/template/functions/sockaddr/ip.ts";

const LO: InterfaceInfo = { index: 1, mtu: 65536, name: "lo", hardwareAddr: "", flags: 1 | 4 | 32 };
const ETH0: InterfaceInfo = {
  index: 2,
  mtu: 1500,
  name: "eth0",
  hardwareAddr: "02:42:ac:11:00:02",
  flags: 1 | 2 | 16 | 32,
};
const ETH1: InterfaceInfo = { ...ETH0, index: 3, name: "eth1", hardwareAddr: "02:42:ac:11:00:03" };
const DOWN: InterfaceInfo = { ...ETH0, index: 4, name: "wg0", flags: 8 };

const at = (iface: InterfaceInfo, cidr: string): IfAddrData => ({ ip: parseIpAddr(cidr)!, iface });

/** lo; eth0 (default route) with a private IPv4, a public IPv6 and a link-local; eth1 public IPv4 and ULA; wg0 down */
const HOST: HostNetwork = {
  addrs: [
    at(LO, "127.0.0.1/8"),
    at(LO, "::1/128"),
    at(ETH0, "10.1.2.3/16"),
    at(ETH0, "2a00:1450::8888/64"),
    at(ETH0, "fe80::42:acff:fe11:2/64"),
    at(ETH1, "8.8.4.4/24"),
    at(ETH1, "fd12:3456::1/48"),
    at(DOWN, "172.16.5.5/12"),
  ],
  defaultRoute: { name: "eth0" },
};

const run = (t: string, host: HostNetwork = HOST) => renderSockaddr([t], host);

test("private and public addresses: RFC 6890, forwardable, up, default route first", () => {
  assert.equal(run("GetPrivateIP"), "10.1.2.3");
  assert.equal(run("GetPublicIP"), "2a00:1450::8888");
  // the interface that is down is left out of the default-route functions only
  assert.equal(run('GetPrivateInterfaces | join "address" " "'), "10.1.2.3 fd12:3456::1");
  assert.equal(run('GetPublicInterfaces | join "address" " "'), "2a00:1450::8888 8.8.4.4");
  assert.equal(run("GetPrivateIPs"), "172.16.5.5 10.1.2.3 fd12:3456::1");
  assert.equal(run("GetPublicIPs"), "8.8.4.4 2a00:1450::8888");
});

test("without a default route the private address comes from any interface; GetDefaultInterfaces fails", () => {
  const host: HostNetwork = { ...HOST, defaultRoute: { error: "No default interface found" } };
  assert.equal(run("GetPrivateIP", host), "10.1.2.3");
  assert.throws(
    () => run("GetDefaultInterfaces", host),
    /at <GetDefaultInterfaces>: error calling GetDefaultInterfaces: No default interface found$/,
  );
  assert.equal(run('GetDefaultInterfaces | join "name" ","'), "eth0,eth0,eth0");
});

test("interface addresses by name pattern, IPv4 first and larger networks first", () => {
  assert.equal(
    run('GetInterfaceIPs "^eth"'),
    "10.1.2.3 8.8.4.4 fd12:3456::1 2a00:1450::8888 fe80::42:acff:fe11:2",
  );
  assert.equal(run('GetInterfaceIP "eth1"'), "8.8.4.4");
  assert.equal(run('GetInterfaceIP "lo"'), "", "loopback is not forwardable");
  assert.equal(run('GetInterfaceIPs "nothing"'), "");
});

test("sort follows Go's insertion sort, where keys that defer leave families unordered", () => {
  // IPv4 and IPv6 addresses never compare by address, so an IPv4 address after an IPv6 one stays there
  assert.equal(
    run('GetAllInterfaces | sort "-address" | join "address" " "'),
    "127.0.0.1 ::1 10.1.2.3 fe80::42:acff:fe11:2 2a00:1450::8888 8.8.4.4 fd12:3456::1 172.16.5.5",
  );
  assert.equal(
    // IPv4 first, then smaller networks first; the two /64s on eth0 tie and keep their order
    run('GetAllInterfaces | sort "type,-size,name" | join "address" " "'),
    "8.8.4.4 10.1.2.3 172.16.5.5 127.0.0.1 ::1 2a00:1450::8888 fe80::42:acff:fe11:2 fd12:3456::1",
  );
  assert.equal(
    run('GetAllInterfaces | sort "default,private" | join "name" " "'),
    "eth0 eth0 eth0 lo eth1 lo wg0 eth1",
  );
});

test("filters: name, type, flags, rfc, network, address, size, and their combinations", () => {
  const join = (pipe: string) => run(`GetAllInterfaces | ${pipe} | join "address" " "`);
  assert.equal(join('include "name" "lo"'), "127.0.0.1 ::1");
  assert.equal(join('exclude "type" "IPv6" | exclude "name" "^(lo|wg0)$"'), "10.1.2.3 8.8.4.4");
  assert.equal(
    join('include "flags" "down"'),
    "127.0.0.1 ::1 10.1.2.3 2a00:1450::8888 fe80::42:acff:fe11:2 8.8.4.4 fd12:3456::1 172.16.5.5",
  );
  assert.equal(join('include "flags" "point-to-point"'), "172.16.5.5");
  assert.equal(
    join('include "flag" "link-local unicast|loopback"'),
    "127.0.0.1 ::1 fe80::42:acff:fe11:2",
  );
  assert.equal(join('include "rfc" "1918|4193"'), "10.1.2.3 172.16.5.5 fd12:3456::1");
  assert.equal(join('include "network" "10.0.0.0/8|2a00:1450::/32"'), "10.1.2.3 2a00:1450::8888");
  assert.equal(join('include "network" "10.1.0.0/24"'), "", "a /16 does not fit in a /24");
  assert.equal(join('include "address" "^8\\\\."'), "8.8.4.4");
  assert.equal(
    join('include "type" "ipv6" | include "size" "64"'),
    "2a00:1450::8888 fe80::42:acff:fe11:2",
  );
  assert.equal(join('include "type" "ip|ipv4" | limit 3'), "127.0.0.1 127.0.0.1 ::1");
});

test("an address offers Go's fields, and Go's leading regexp flags work", () => {
  assert.equal(
    run(
      "range GetAllInterfaces }}{{ .Name }} {{ .Flags }} {{ .MTU }} {{ .Index }} {{ .HardwareAddr }} {{ .SockAddr }},{{ end",
    ),
    "lo up|loopback|running 65536 1  127.0.0.1/8,lo up|loopback|running 65536 1  ::1," +
      "eth0 up|broadcast|multicast|running 1500 2 02:42:ac:11:00:02 10.1.2.3/16," +
      "eth0 up|broadcast|multicast|running 1500 2 02:42:ac:11:00:02 2a00:1450::8888/64," +
      "eth0 up|broadcast|multicast|running 1500 2 02:42:ac:11:00:02 fe80::42:acff:fe11:2/64," +
      "eth1 up|broadcast|multicast|running 1500 3 02:42:ac:11:00:03 8.8.4.4/24," +
      "eth1 up|broadcast|multicast|running 1500 3 02:42:ac:11:00:03 fd12:3456::1/48," +
      "wg0 pointtopoint 1500 4 02:42:ac:11:00:02 172.16.5.5/12,",
  );
  assert.equal(
    run("(index . 2).Interface"),
    "{2 1500 eth0 02:42:ac:11:00:02 up|broadcast|multicast|running}",
  );
  assert.equal(
    run("(index . 5).String"),
    "8.8.4.4/24 {3 1500 eth1 02:42:ac:11:00:03 up|broadcast|multicast|running}",
  );
  assert.equal(run('index . 5 | printf "%T"'), "sockaddr.IfAddr");
  assert.equal(
    run('include "name" "(?i)^ETH[01]$" . | join "name" " "'),
    "eth0 eth0 eth0 eth1 eth1",
  );
});

test("binary, hex, first and last usable addresses", () => {
  const attrs = (pipe: string, a: string) => run(`GetAllInterfaces | ${pipe} | join "${a}" ","`);
  assert.equal(attrs('include "name" "eth1"', "first_usable"), "8.8.4.1,fd12:3456::");
  assert.equal(
    attrs('include "name" "eth1"', "last_usable"),
    "8.8.4.254,fd12:3456:0:ffff:ffff:ffff:ffff:ffff",
  );
  assert.equal(attrs('include "name" "lo" | limit 1', "hex"), "7f000001");
  assert.equal(attrs('include "name" "lo" | offset 1', "hex"), "00000000000000000000000000000001");
  assert.equal(
    attrs('include "name" "lo" | limit 1', "binary"),
    "01111111000000000000000000000001",
  );
  assert.equal(attrs('include "name" "lo" | offset 1', "binary"), "1".padStart(128, "0"));
});

test("attributes and helpers print as go-sockaddr does", () => {
  const eth0v4 = 'GetAllInterfaces | include "address" "^10\\\\." ';
  assert.equal(
    [
      "address",
      "network",
      "broadcast",
      "netmask",
      "mask_bits",
      "size",
      "uint32",
      "string",
      "type",
      "octets",
      "port",
      "name",
      "flags",
    ]
      .map((a) => run(`${eth0v4}| attr "${a}"`))
      .join(";"),
    "10.1.2.3;10.1.0.0;10.1.255.255;255.255.0.0;16;65536;167838211;10.1.2.3/16;IPv4;10 1 2 3;0;eth0;up|broadcast|multicast|running",
  );
  assert.equal(
    run('GetAllInterfaces | include "name" "lo" | join "netmask" ","'),
    "255.0.0.0,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  );
  assert.equal(run('GetAllInterfaces | include "name" "lo" | offset -1 | attr "uint128"'), "1");
  assert.equal(run('GetAllInterfaces | unique "name" | join "name" " "'), "lo eth0 eth1 wg0");
  assert.equal(run("GetAllInterfaces | offset 6 | len"), "2");
  assert.equal(
    run("GetAllInterfaces | limit 2"),
    "[127.0.0.1/8 {1 65536 lo  up|loopback|running} ::1 {1 65536 lo  up|loopback|running}]",
  );
  assert.equal(
    run('GetAllInterfaces | include "name" "wg0"'),
    "[172.16.5.5/12 {4 1500 wg0 02:42:ac:11:00:02 pointtopoint}]",
  );
});

test("math moves addresses with Go's wrap-around and narrows masks", () => {
  const join = (pipe: string) => run(`GetAllInterfaces | ${pipe} | join "string" " "`);
  assert.equal(
    join('include "name" "eth" | math "address" "-5"'),
    "10.1.1.254/16 2a00:1450::8883/64 fe80::42:acff:fe10:fffd/64 8.8.3.255/24 fd12:3455:ffff:ffff:ffff:ffff:ffff:fffc/48",
  );
  assert.equal(join('include "name" "lo" | math "address" "+4294967295"'), "127.0.0.0/8 ::1:0:0");
  assert.equal(
    join('include "name" "eth1" | math "network" "-70000"'),
    "8.8.4.144/24 fd12:3456:0:ffff:ffff:ffff:fffe:ee90/48",
  );
  assert.equal(join('include "name" "eth0" | limit 1 | math "network" "+70000"'), "10.1.17.112/16");
  assert.equal(join('include "name" "eth0" | math "mask" "8"'), "10.0.0.0/8 2a00::/8 fe00::/8");
  assert.equal(join('include "name" "wg0" | math "mask" "24"'), "172.16.5.0/12");
});

test("errors carry go-sockaddr's wording and say what vaultlet does not support", () => {
  const fails = (t: string, re: RegExp) =>
    assert.throws(
      () => run(t),
      (e: Error) => (assert.match(e.message, re), true),
    );
  fails(
    "NoSuch",
    /^unable to parse template "\{\{ NoSuch \}\}": template: sockaddr\.Parse:1: function "NoSuch" not defined$/,
  );
  fails(
    'GetAllInterfaces | include "bogus" "x"',
    /^unable to execute sockaddr input .*: template: sockaddr\.Parse:1:22: executing "sockaddr\.Parse" at <include "bogus" "x">: error calling include: invalid include selector "bogus"$/,
  );
  fails(
    'GetAllInterfaces | exclude "rfc" "1"',
    /unable to lookup RFC number "1": unsupported RFC 1$/,
  );
  fails('GetAllInterfaces | include "flags" "sideways"', /Unknown interface flag: "sideways"$/);
  fails('GetAllInterfaces | include "type" "ipx"', /unsupported type "ipx" "ipx"$/);
  fails('GetAllInterfaces | sort "size,nope"', /unknown sort type: "nope"$/);
  fails('GetAllInterfaces | unique "flags"', /unsupported unique constraint "flags"$/);
  fails("GetAllInterfaces | offset -9", /offset \(9\) exceeds the number of interfaces \(8\)$/);
  fails('GetAllInterfaces | include "size" "64"', /mask size out of bounds for IPv4 address: 64$/);
  fails('GetAllInterfaces | attr "nope"', /unsupported attribute name "nope"$/);
  fails(
    'GetAllInterfaces | include "type" "ipv6" | math "network" "+0"',
    /unable to perform an IPMath operation on ::1 .*: math "network" by 0 on an IPv6 address is not supported by vaultlet/,
  );
  fails(
    'GetAllInterfaces | math "address" "1"',
    /unable to perform an IPMath operation on 127\.0\.0\.1\/8 \{1 65536 lo {2}up\|loopback\|running\}: sign \(\+\/-\) is required for operation "address"$/,
  );
  fails('GetAllInterfaces | math "mask" "33"', /on ipv4 addresses must be between 0 and 32$/);
  fails('GetAllInterfaces | math "turn" "1"', /unsupported math operation: "turn"$/);
  fails('"x" | include "name" "lo"', /expected sockaddr\.IfAddrs; got string$/);
  fails('attr "name" 3', /unable to obtain attribute name from type int \(3\)$/);
});
