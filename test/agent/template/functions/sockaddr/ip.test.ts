/** Addresses printed as Go prints them, and the host edge's parsers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ipText,
  parseIpAddr,
  sockAddrText,
} from "../../../../../agent/template/functions/sockaddr/ip.ts";
import {
  addrsFromIpJson,
  defaultRouteFrom,
  goFlags,
  hardwareText,
} from "../../../../../agent/template/functions/sockaddr/host.ts";
import { flagsText } from "../../../../../agent/template/functions/sockaddr/ifaddr.ts";
import { isForwardable, isRfc } from "../../../../../agent/template/functions/sockaddr/rfc.ts";

const text = (s: string) => sockAddrText(parseIpAddr(s)!);

test("IPv6 addresses print in Go's form: the first longest zero run of two groups or more becomes ::", () => {
  assert.equal(text("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  assert.equal(text("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
  assert.equal(text("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
  assert.equal(text("1:0:1:0:1:0:1:0"), "1:0:1:0:1:0:1:0");
  assert.equal(text("::"), "::");
  assert.equal(text("1::/16"), "1::/16");
  assert.equal(text("::ffff:10.0.0.1"), "10.0.0.1");
  assert.equal(text("64:ff9b::192.0.2.33/96"), "64:ff9b::c000:221/96");
  assert.equal(ipText(4, 0xc0000201n), "192.0.2.1");
});

test("addresses that are not IPs, or bad prefixes, do not parse", () => {
  for (const bad of ["nonsense", "10.0.0.1/33", "::1/129", "10.0.0.1/x", "1.2.3"])
    assert.equal(parseIpAddr(bad), undefined, bad);
});

test("RFC membership needs the whole network inside the block", () => {
  assert.equal(isRfc(1918, parseIpAddr("10.1.2.3/16")!), true);
  assert.equal(isRfc(1918, parseIpAddr("10.1.2.3/7")!), false);
  assert.equal(isRfc(6890, parseIpAddr("fd00::2/64")!), true);
  assert.equal(isForwardable(parseIpAddr("192.0.2.2/24")!), false);
  assert.equal(isForwardable(parseIpAddr("fe80::1/64")!), false);
  assert.equal(isForwardable(parseIpAddr("8.8.8.8/24")!), true);
});

test("the default route is the first 0.0.0.0/0 route through a gateway in /proc/net/route", () => {
  const header = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT";
  const table = [
    header,
    "eth1\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0",
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
  ].join("\n");
  assert.deepEqual(defaultRouteFrom(table), { name: "eth0" });
  assert.deepEqual(defaultRouteFrom(header), { error: "No default interface found" });
  assert.deepEqual(defaultRouteFrom(""), { error: "No default interface found" });
});

test("Linux interface flags become Go's, running when up and operationally up or unknown", () => {
  assert.equal(flagsText(goFlags(0x9, "unknown")), "up|loopback|running");
  assert.equal(flagsText(goFlags(0x1003, "up")), "up|broadcast|multicast|running");
  assert.equal(flagsText(goFlags(0x1003, "down")), "up|broadcast|multicast");
  assert.equal(flagsText(goFlags(0x1002, "down")), "broadcast|multicast");
  assert.equal(flagsText(goFlags(0x0, "down")), "0");
});

test("`ip -j addr show` gives every interface's addresses in index order, down ones included", () => {
  const text = JSON.stringify([
    {
      ifindex: 5,
      ifname: "br0",
      mtu: 1500,
      address: "00:00:00:00:00:00",
      addr_info: [{ family: "inet", local: "10.9.0.1", prefixlen: 16 }],
    },
    {
      ifindex: 1,
      ifname: "lo",
      mtu: 65536,
      address: "00:00:00:00:00:00",
      addr_info: [
        { family: "inet", local: "127.0.0.1", prefixlen: 8 },
        { family: "inet6", local: "::1", prefixlen: 128 },
      ],
    },
    { ifindex: 3, ifname: "ifb0", mtu: 1500, address: "46:EE:46:cf:0e:37", addr_info: [] },
  ]);
  const addrs = addrsFromIpJson(text, (name) => (name === "lo" ? 37 : 18));
  assert.deepEqual(
    addrs.map((a) => `${a.iface.index} ${a.iface.name} ${sockAddrText(a.ip)} ${a.iface.flags}`),
    ["1 lo 127.0.0.1/8 37", "1 lo ::1 37", "5 br0 10.9.0.1/16 18"],
  );
  assert.equal(addrs[2]!.iface.hardwareAddr, "");
});

test("link addresses print as Go's net.HardwareAddr", () => {
  assert.equal(hardwareText("02:FC:00:00:00:01"), "02:fc:00:00:00:01");
  assert.equal(hardwareText("00:00:00:00:00:00"), "");
  assert.equal(hardwareText(undefined), "");
  assert.equal(hardwareText("0.0.0.0"), "");
  assert.equal(hardwareText("10.0.0.1"), "0a:00:00:01");
});
