/**
 * Shared pieces of the agent fault tests: a watcher that reads a rendered
 * file on every poll during a fault (it must never be missing, empty or
 * partial), a recorder of request arrival times, checks that retries back
 * off with jitter, the ops endpoint's metrics, and a TCP relay that can take
 * a backend (PostgreSQL) down and bring it back on the same port.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { kvPut, tempDir } from "../../agent/agent-harness.ts";
import { startFaultProxy } from "../../support/fault-proxy.ts";
import { startOpenBao } from "../../support/openbao.ts";
import { registerTeardown } from "../../support/processes.ts";
import type { Agent } from "../../../agent/runner/agent.ts";

const POLL_MS = 20;

export interface ContentWatch {
  /** stop polling; returns how many reads were made and what was wrong */
  stop(): { reads: number; problems: string[] };
}

/**
 * Reads `file` every 20 ms until stopped; every read must pass `isGood`.
 * Problems are described by length only, never by content (it is secret).
 */
export function watchContent(file: string, isGood: (text: string) => boolean): ContentWatch {
  let reads = 0;
  const problems: string[] = [];
  const timer = setInterval(() => {
    reads++;
    try {
      const text = readFileSync(file, "utf8");
      if (!isGood(text)) problems.push(`read ${reads}: unexpected content (${text.length} bytes)`);
    } catch (err) {
      problems.push(`read ${reads}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }, POLL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return { reads, problems };
    },
  };
}

/** asserts the watch saw only good content, and saw it more than a few times */
export function assertContentKept(watch: ContentWatch): void {
  const { reads, problems } = watch.stop();
  assert.ok(reads >= 5, `the file was read only ${reads} times during the fault`);
  assert.deepEqual(problems, [], "the last good file must stay in place during the fault");
}

export interface ArrivalRecorder {
  /** arrival times (ms) of the requests counted since start */
  stop(): number[];
}

/** polls a running count (e.g. a proxy's request list) and timestamps each new request */
export function recordArrivals(count: () => number): ArrivalRecorder {
  const times: number[] = [];
  let seen = count();
  const timer = setInterval(() => {
    const now = count();
    for (; seen < now; seen++) times.push(Date.now());
  }, 5);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const now = count();
      for (; seen < now; seen++) times.push(Date.now());
      return times;
    },
  };
}

/**
 * Retries during a fault of `faultMs`: at least one, at most `max` (a tight
 * loop makes hundreds), and not in lock-step: the gaps between retry bursts
 * are not all the same (backoff doubles them, jitter spreads them).
 */
export function assertBackoff(times: number[], max: number): void {
  assert.ok(times.length >= 1, "the agent retried during the fault");
  assert.ok(times.length <= max, `${times.length} requests during the fault; expected <= ${max}`);
  // requests closer than 50 ms are one attempt (the client's own quick retries)
  const bursts: number[] = [];
  for (const t of times) if (bursts.length === 0 || t - bursts.at(-1)! > 50) bursts.push(t);
  const gaps = bursts.slice(1).map((t, i) => t - bursts[i]!);
  if (gaps.length >= 2) {
    const distinct = new Set(gaps.map((g) => Math.round(g / 40)));
    assert.ok(distinct.size > 1, `retry gaps are lock-step: ${gaps.join(", ")} ms`);
  }
}

/** the agent's /metrics text from its ops listener, over HTTP */
export async function metricsOf(agent: Agent): Promise<string> {
  assert.ok(agent.ops, "the ops endpoint is listening");
  const res = await fetch(`http://${agent.ops.address}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

/** the value of one sample in Prometheus text, 0 when absent */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`)))
      total += Number(m[3]);
  }
  return total;
}

export interface TcpRelay {
  readonly port: number;
  /** refuse connections and cut the open ones, as a backend that went away */
  down(): Promise<void>;
  /** accept again on the same port */
  up(): Promise<void>;
}

/** a loopback TCP relay to 127.0.0.1:`targetPort` that can be taken down and up */
export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const backend = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, backend]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
      s.unref();
    }
    client.pipe(backend).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  // like the servers of test/support: never what keeps the test process alive
  server.unref();
  const port = (server.address() as net.AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  registerTeardown(close, {});
  const up = async () => {
    await listen(port);
    server.unref();
  };
  return { port, down: close, up };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * OpenBao on on-disk raft storage (data and tokens survive restart), jwt
 * auth at "jwt" with role "app", KV v2 at "kv" holding `kv/app`, and a fault
 * proxy in front that the agent talks through (so requests made while the
 * server is down, sealed or frozen can be counted).
 */
export async function fileBaoWithJwt(policyHcl: string, password: string) {
  const bao = await startOpenBao({ storage: "file", audit: true });
  await bao.writePolicy("app", policyHcl);
  const signer = await bao.enableJwtAuth({ mount: "jwt" });
  await bao.jwtRole("jwt", "app", {
    boundAudiences: ["vault"],
    userClaim: "sub",
    policies: ["app"],
    tokenTtl: "1h",
    tokenMaxTtl: "2h",
  });
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password });
  const dir = tempDir();
  const jwtPath = join(dir, "jwt");
  writeFileSync(jwtPath, await signer.signJwt({ sub: "app", aud: "vault" }));
  const proxy = await startFaultProxy({ target: bao.address });
  return { bao, signer, jwtPath, dir, proxy };
}
