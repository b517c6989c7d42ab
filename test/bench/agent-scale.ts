/**
 * A fleet of agents started together against one OpenBao, then a Vault
 * outage: how evenly the fleet spreads its requests, and how the recovery
 * burst spreads once Vault is back.
 *
 * The agents run in one child process (agent-fleet.ts), each with its own
 * config, token file and output file; between them and OpenBao a loopback
 * proxy timestamps every request (attributed to its agent by token) and,
 * during the outage, refuses every connection (a Vault that is down or
 * unreachable). Each agent renders one KV v2 secret, re-read every 10 s
 * (static_secret_render_interval), with a token of 5 min TTL to renew.
 *
 *   node test/bench/agent-scale.ts [--agents=1000] [--before=60] [--outage=30] [--after=60] [--json=FILE]
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startOpenBao } from "../support/openbao.ts";
import { procMemory } from "./proc-stats.ts";

const { values: flags } = parseArgs({
  options: {
    agents: { type: "string", default: "1000" },
    before: { type: "string", default: "60" },
    outage: { type: "string", default: "30" },
    after: { type: "string", default: "60" },
    json: { type: "string" },
  },
});
const AGENTS = Number(flags.agents);
const BEFORE_S = Number(flags.before);
const OUTAGE_S = Number(flags.outage);
const AFTER_S = Number(flags.after);
const SETTLE_S = 10;
const SECRETS = 10;
/** long enough to outlive the time it takes to create every token plus the outage */
const TOKEN_TTL = "5m";
/** the store's retry backoff (agent/secrets/store.ts): 0.5 s doubling to 60 s, with jitter */
const RETRY_STEPS_MS = [500, 1000, 2000, 4000, 8000, 16000, 32000, 60000];

interface Seen {
  /** ms since the fleet was spawned */
  at: number;
  agent: number;
  ok: boolean;
  path: string;
}

interface CountingProxy {
  address: string;
  seen: Seen[];
  setDown(down: boolean): void;
  stop(): Promise<void>;
}

async function countingProxy(
  target: string,
  agentOf: Map<string, number>,
  clock: () => number,
): Promise<CountingProxy> {
  const upstream = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const to = new URL(target);
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let down = false;
  const server = http.createServer((req, res) => {
    const agent = agentOf.get(String(req.headers["x-vault-token"] ?? "")) ?? -1;
    const record: Seen = { at: clock(), agent, ok: false, path: req.url ?? "" };
    seen.push(record);
    const out = http.request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: upstream,
      },
      (answer) => {
        record.ok = (answer.statusCode ?? 500) < 400;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connection", (socket: Socket) => {
    if (down) {
      // a refused connection is an attempt too; which agent made it is unknown
      seen.push({ at: clock(), agent: -1, ok: false, path: "" });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    address: `http://127.0.0.1:${port}`,
    seen,
    setDown(value) {
      down = value;
      // a Vault that goes away takes its open connections with it
      if (value) for (const s of sockets) s.destroy();
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      upstream.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function perSecond(seen: readonly Seen[], fromS: number, toS: number): number[] {
  const counts = Array.from({ length: Math.max(0, Math.ceil(toS - fromS)) }, () => 0);
  for (const s of seen) {
    const i = Math.floor(s.at / 1000 - fromS);
    if (i >= 0 && i < counts.length) counts[i]!++;
  }
  return counts;
}

function lastOfOthers(
  seen: readonly Seen[],
  back: ReadonlyMap<number, number>,
  sinceS: number,
): Record<string, number> {
  const last = new Map<number, Seen>();
  for (const s of seen) if (s.agent >= 0 && !back.has(s.agent)) last.set(s.agent, s);
  const counts: Record<string, number> = {};
  for (const s of last.values()) {
    const key = `${s.path.split("?")[0]} ${s.ok ? "ok" : "failed"}${s.at / 1000 < sinceS ? " (before Vault returned)" : ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export interface ScaleResult {
  agents: number;
  secondsBefore: number;
  outageSeconds: number;
  secondsAfter: number;
  allRenderedMs: number;
  steady: { meanPerS: number; peakPerS: number; peakOverMean: number; seconds: number };
  outage: { attemptsPerS: number };
  recovery: {
    firstSecond: number;
    peakPerS: number;
    peakOverSteadyMean: number;
    /** seconds after Vault came back until 10%, 50%, 90% of the agents had a successful request */
    agentsBackS: { p10: number; p50: number; p90: number; all: number };
    /** agents with a successful request within the measured time after the outage */
    agentsBack: number;
    /** what the other agents last asked for and got, "path status", counted */
    notBackLast: Record<string, number>;
    /** the retry delay an agent is in when a 30 s outage ends (the backoff window) */
    backoffWindowS: number;
    spreadOverWindow: number;
  };
  fleetPeakRssMiB: number;
}

async function main(): Promise<ScaleResult> {
  const bao = await startOpenBao({ autoTeardown: false });
  const root = join(tmpdir(), `vaultlet-bench-scale-${process.pid}`);
  let started = 0;
  const clock = () => performance.now() - started;
  const agentOf = new Map<string, number>();
  const proxy = await countingProxy(bao.address, agentOf, clock);
  try {
    await bao.enableKvV2("kv");
    await new Promise((r) => setTimeout(r, 1500)); // KV v2 finishes its upgrade
    for (let i = 0; i < SECRETS; i++) await bao.kvPut("kv", `app/s${i}`, { v: `value-${i}` });
    await bao.writePolicy("app", `path "kv/data/app/*" { capabilities = ["read"] }`);
    for (let i = 0; i < AGENTS; i++) {
      const dir = join(root, `agent-${i}`);
      mkdirSync(dir, { recursive: true });
      const token = await bao.createToken({ policies: ["app"], ttl: TOKEN_TTL });
      agentOf.set(token.client_token, i);
      writeFileSync(join(dir, "token"), token.client_token);
      const config = {
        vault: { address: proxy.address },
        auto_auth: {
          method: { type: "token_file", config: { token_file_path: join(dir, "token") } },
        },
        vaultlet: { listen: "" },
        template_config: { static_secret_render_interval: "10s" },
        template: [
          {
            destination: join(dir, "app.env"),
            contents: `{{ with secret "kv/data/app/s${i % SECRETS}" }}V={{ .Data.data.v }}{{ end }}`,
          },
        ],
      };
      writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    }
    started = performance.now();
    const fleet = spawn(
      process.execPath,
      [resolve(import.meta.dirname, "agent-fleet.ts"), root, String(AGENTS)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let allRenderedMs = NaN;
    const lines = createInterface({ input: fleet.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("ready")) allRenderedMs = clock();
    });
    let fleetPeakRssMiB = 0;
    const rssTimer = setInterval(() => {
      try {
        fleetPeakRssMiB = Math.max(fleetPeakRssMiB, procMemory(fleet.pid!).rssMiB);
      } catch {
        // the fleet has exited
      }
    }, 1000);
    const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
    await sleep(BEFORE_S);
    const outageStart = clock() / 1000;
    proxy.setDown(true);
    await sleep(OUTAGE_S);
    proxy.setDown(false);
    const outageEnd = clock() / 1000;
    await sleep(AFTER_S);
    clearInterval(rssTimer);
    fleet.kill("SIGTERM");
    await new Promise((r) => fleet.once("close", r));

    const steadyCounts = perSecond(proxy.seen, SETTLE_S, outageStart);
    const mean = steadyCounts.reduce((a, b) => a + b, 0) / Math.max(1, steadyCounts.length);
    const peak = Math.max(...steadyCounts);
    const outageCounts = perSecond(proxy.seen, outageStart, outageEnd);
    const afterCounts = perSecond(proxy.seen, outageEnd, outageEnd + AFTER_S);
    const back = new Map<number, number>();
    for (const s of proxy.seen) {
      if (s.ok && s.agent >= 0 && s.at / 1000 >= outageEnd && !back.has(s.agent)) {
        back.set(s.agent, s.at / 1000 - outageEnd);
      }
    }
    const backTimes = [...back.values()].sort((a, b) => a - b);
    // the delay an agent that failed throughout the outage is waiting out when it ends
    let elapsed = 0;
    let window = RETRY_STEPS_MS[0]!;
    for (const step of RETRY_STEPS_MS) {
      window = step;
      elapsed += step;
      if (elapsed >= OUTAGE_S * 1000) break;
    }
    const spread = quantile(backTimes, 0.9) - quantile(backTimes, 0.1);
    return {
      agents: AGENTS,
      secondsBefore: BEFORE_S,
      outageSeconds: OUTAGE_S,
      secondsAfter: AFTER_S,
      allRenderedMs,
      steady: {
        meanPerS: mean,
        peakPerS: peak,
        peakOverMean: peak / mean,
        seconds: steadyCounts.length,
      },
      outage: {
        attemptsPerS: outageCounts.reduce((a, b) => a + b, 0) / Math.max(1, outageCounts.length),
      },
      recovery: {
        firstSecond: afterCounts[0] ?? 0,
        peakPerS: Math.max(...afterCounts),
        peakOverSteadyMean: Math.max(...afterCounts) / mean,
        agentsBackS: {
          p10: quantile(backTimes, 0.1),
          p50: quantile(backTimes, 0.5),
          p90: quantile(backTimes, 0.9),
          all: backTimes.length === AGENTS ? backTimes[backTimes.length - 1]! : NaN,
        },
        agentsBack: backTimes.length,
        notBackLast: lastOfOthers(proxy.seen, back, outageEnd),
        backoffWindowS: window / 1000,
        spreadOverWindow: spread / (window / 1000),
      },
      fleetPeakRssMiB,
    };
  } finally {
    await proxy.stop();
    await bao.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await main();
  if (flags.json) writeFileSync(flags.json, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result, null, 2));
}
