/**
 * sprig_getHostByName: one address of a host name, picked at random, as Go's
 * net.LookupHost finds them: an IP literal is itself, /etc/hosts is read
 * first, then DNS. Template functions run synchronously, so a DNS lookup
 * runs in a worker thread that this thread waits for (at most 10 s). A name
 * with no address fails with Go's panic text (`invalid argument to Intn`).
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import { FunctionError } from "../types.ts";

const HOSTS_FILE = "/etc/hosts";
const DNS_TIMEOUT_MS = 10_000;

/** Addresses /etc/hosts gives the name, in file order. */
export function hostsFileAddresses(text: string, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const [addr, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (!addr || isIP(addr.split("%")[0]!) === 0) continue;
    if (names.some((n) => n.toLowerCase() === want)) out.push(addr);
  }
  return out;
}

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const dns = require("node:dns");
dns.lookup(workerData.name, { all: true, verbatim: true }, (err, addrs) => {
  workerData.port.postMessage(err ? [] : addrs.map((a) => a.address));
  Atomics.store(workerData.flag, 0, 1);
  Atomics.notify(workerData.flag, 0);
});
`;

function dnsAddresses(name: string): string[] {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { name, port: port2, flag },
    transferList: [port2],
  });
  try {
    Atomics.wait(flag, 0, 0, DNS_TIMEOUT_MS);
    return (receiveMessageOnPort(port1)?.message as string[] | undefined) ?? [];
  } finally {
    void worker.terminate();
    port1.close();
  }
}

function lookupHost(name: string): string[] {
  if (name === "") return [];
  if (isIP(name) !== 0) return [name];
  let hosts: string[] = [];
  try {
    hosts = hostsFileAddresses(readFileSync(HOSTS_FILE, "utf8"), name);
  } catch {
    // no hosts file: DNS only, as in Go
  }
  return hosts.length > 0 ? hosts : dnsAddresses(name);
}

export function getHostByName(name: string): string {
  const addrs = lookupHost(name);
  if (addrs.length === 0) throw new FunctionError("invalid argument to Intn");
  return addrs[Math.floor(Math.random() * addrs.length)]!;
}
