/**
 * Admission webhook throughput and latency (not a test).
 *
 *   node test/bench/webhook.ts                      # 10 s per run, 3 repeats
 *   BENCH_SECONDS=5 BENCH_REPEATS=5 node test/bench/webhook.ts
 *   VAULTLET_WEBHOOK_BIN=/other/checkout/deploy/cli/bin.ts node test/bench/webhook.ts
 *   VAULTLET_WEBHOOK_BIN=dist/vaultlet-webhook.mjs BENCH_MEMORY_ONLY=1 node test/bench/webhook.ts
 *
 * The webhook runs as its image runs it: the image's NODE_OPTIONS and
 * MALLOC_* and the node flags of its entrypoint (all from the image layout)
 * unless VAULTLET_NODE_OPTIONS names other node flags ("" for node's and
 * glibc's defaults, and no entrypoint flags).
 *
 * Starts `vaultlet webhook` as its own process (TLS from files, loopback,
 * default info-level JSON logs written to a file as a container runtime
 * would collect them), then drives POST /mutate over HTTPS for a pod with 4
 * containers and 10 vault.hashicorp.com annotations:
 *
 * - memory, in BENCH_MEMORY_RUNS (default 3) fresh webhooks each: the
 *   resident set idle (started, one review answered, 2 s of quiet), then its
 *   peak (VmHWM) over a burst of 10,000 requests at 50 connections, and the
 *   webhook's CPU per request over that burst; medians and maxima reported;
 * - in one more webhook, after a 3 s warm-up:
 *   - an open-loop run at a steady 500 requests/s, evenly spaced (the target:
 *     p99 under 5 ms there). autocannon's own fixed-rate mode sends each
 *     second's requests in one burst, so this run uses its own schedule;
 *   - autocannon's closed-loop runs at 1, 50 and 500 concurrent connections
 *     (as fast as the server answers).
 *
 * Every figure is the median over the repeats (this machine is shared and
 * noisy); the load average is recorded before and after.
 *
 * Other benchmarks call `runWebhookBench(options)` and format the rows
 * themselves, or use `formatWebhookBench(result)` for a markdown table.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { cpus, loadavg, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { freePort } from "../support/processes.ts";
import { httpsRequest, postReview } from "../webhook/server/https.ts";
import { admissionReview, annotatedPod } from "../webhook/server/reviews.ts";
import { tlsFixture } from "../webhook/server/tls-fixture.ts";
import { WEBHOOK_NODE_FLAGS } from "../../deploy/images/layout.ts";
import { imageEnv, median, procCpuSeconds, procMemory } from "./proc-stats.ts";
import {
  HOW_TO_BUILD_REFERENCE,
  REFERENCE_VERSION,
  referenceBinary,
  spawnReference,
} from "./webhook-reference.ts";

const BIN = fileURLToPath(new URL("../../deploy/cli/bin.ts", import.meta.url));
const PATCH_MARK = '"patchType":"JSONPatch"';

export interface WebhookBenchOptions {
  /** Seconds per measured run (default 10). */
  readonly seconds?: number;
  /** Runs per figure; the median is reported (default 3). */
  readonly repeats?: number;
  /** Requests per second of the open-loop run (default 500). */
  readonly rate?: number;
  /** autocannon concurrency levels (default 1, 50, 500). */
  readonly connections?: readonly number[];
  /** Requests in the memory burst (default 10,000; 0 skips it). */
  readonly burstRequests?: number;
  /** How many such bursts in each memory run, RSS read after each (default 1). */
  readonly bursts?: number;
  /** Fresh webhooks measured for idle and peak memory (default 3). */
  readonly memoryRuns?: number;
  /** The vaultlet entry point to run (default: this checkout's deploy/cli/bin.ts). */
  readonly bin?: string;
  /** Extra environment for the webhook, e.g. { AGENT_INJECT_LOG_LEVEL: "warn" }. */
  readonly env?: Readonly<Record<string, string>>;
  /** Node flags after the image's entrypoint flags, e.g. ["--cpu-prof", "--cpu-prof-dir=DIR"]. */
  readonly nodeArgs?: readonly string[];
  /** NODE_OPTIONS of the webhook process (default: the webhook image's, with its MALLOC_* settings and entrypoint flags; when given, neither). */
  readonly nodeOptions?: string;
  /** False: memory and the burst only, no latency runs (default true). */
  readonly latency?: boolean;
  /** The reference injector's binary: measure it instead of vaultlet, the same way. */
  readonly reference?: string;
  /** Progress lines (default: none). */
  readonly progress?: (line: string) => void;
}

/** One line of the results: medians over `repeats` runs. Latencies in ms. */
export interface WebhookBenchRow {
  readonly run: string;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Summed over the repeats. */
  readonly errors: number;
  readonly non2xx: number;
  readonly badBody: number;
  readonly repeats: number;
}

export interface WebhookBenchResult {
  readonly rows: readonly WebhookBenchRow[];
  readonly memory: {
    readonly burstRequests: number;
    /** Fresh webhooks the idle and peak figures come from. */
    readonly memoryRuns: number;
    /** Started, one review answered, 2 s of quiet: median and most over the memory runs. */
    readonly rssIdleMiB: number;
    readonly rssIdleMaxMiB: number;
    readonly rssIdleEachMiB: readonly number[];
    /** VmHWM after the burst (nothing before it but one review): median and most. */
    readonly peakOverBurstMiB: number;
    readonly peakOverBurstMaxMiB: number;
    readonly peakOverBurstEachMiB: readonly number[];
    /** First memory run: after the (last) burst, and after each when there are several. */
    readonly rssAfterBurstMiB: number;
    readonly rssAfterEachBurstMiB: readonly number[];
    /** The latency runs' webhook: after its warm-up, at the end, and its VmHWM. */
    readonly rssAfterWarmupMiB: number;
    readonly rssAtEndMiB: number;
    readonly peakMiB: number;
  };
  /**
   * The webhook process's CPU (user + system) per answered request: over the
   * burst, and over the steady-rate runs. Less sensitive to a busy machine
   * than latency, so it is the figure to compare versions by.
   */
  readonly cpuMsPerRequest: { readonly burst: number; readonly steady: number };
  /** 1-minute load average before and after the measured runs. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly machine: {
    readonly cpuModel: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly os: string;
    readonly node: string;
  };
  readonly requestBytes: number;
  /** "vaultlet", or the reference injector and its version */
  readonly server: string;
  /** how the reference was run, when it was */
  readonly note?: string;
  readonly nodeOptions: string;
  /** node flags before the entry script (the image's entrypoint flags) */
  readonly nodeArgs: readonly string[];
  readonly seconds: number;
  readonly repeats: number;
}

/** The realistic pod: 4 containers, 10 vault.hashicorp.com annotations. */
export function benchPod() {
  return annotatedPod(
    {
      "vault.hashicorp.com/agent-inject-secret-config.json": "secret/data/web/config",
      "vault.hashicorp.com/agent-inject-template-config.json":
        '{{ with secret "secret/data/web/config" }}{{ .Data.data | toJSON }}{{ end }}',
      "vault.hashicorp.com/agent-inject-secret-api-key": "secret/data/web/api",
      "vault.hashicorp.com/agent-pre-populate": "true",
      "vault.hashicorp.com/agent-limits-cpu": "250m",
      "vault.hashicorp.com/agent-requests-mem": "32Mi",
      "vault.hashicorp.com/tls-skip-verify": "false",
    },
    { containers: 4, env: [{ name: "LOG_LEVEL", value: "info" }] },
  );
}

export async function runWebhookBench(
  options: WebhookBenchOptions = {},
): Promise<WebhookBenchResult> {
  const seconds = options.seconds ?? 10;
  const repeats = options.repeats ?? 3;
  const say = options.progress ?? (() => {});
  const tls = await tlsFixture();
  const body = JSON.stringify(admissionReview({ object: benchPod() }));
  try {
    const memory = await measureMemory(options, tls, body, say);
    const latency = await measureLatency(options, tls, body, say);
    const cpu = cpus();
    return {
      rows: latency.rows,
      memory: { ...memory, ...latency.memory },
      cpuMsPerRequest: { burst: memory.cpuMsPerRequest, steady: latency.steadyCpuMs },
      loadAverage: latency.loadAverage,
      machine: {
        cpuModel: cpu[0]?.model ?? "unknown",
        cores: cpu.length,
        memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
        os: type(),
        node: process.version,
      },
      requestBytes: Buffer.byteLength(body),
      server: options.reference ? `reference (vault-k8s ${REFERENCE_VERSION})` : "vaultlet",
      ...(options.reference && lastReferenceNote ? { note: lastReferenceNote } : {}),
      nodeOptions: options.reference ? "" : webhookNodeOptions(options),
      nodeArgs: options.reference ? [] : webhookNodeArgs(options),
      seconds,
      repeats,
    };
  } finally {
    await tls.cleanup();
  }
}

export type Tls = Awaited<ReturnType<typeof tlsFixture>>;

export interface RunningWebhook {
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** how the last reference injector was run (its API server), for the report */
let lastReferenceNote: string | undefined;

function webhookNodeOptions(options: WebhookBenchOptions): string {
  return options.nodeOptions ?? imageEnv("webhook")["NODE_OPTIONS"] ?? "";
}

/** The node flags of the image's entrypoint (those NODE_OPTIONS refuses), then the caller's. */
function webhookNodeArgs(options: WebhookBenchOptions): string[] {
  const image = options.nodeOptions === undefined ? WEBHOOK_NODE_FLAGS : [];
  return [...image, ...(options.nodeArgs ?? [])];
}

/** `vaultlet webhook` as its own process, as the image runs it, answering /healthz. */
export async function startWebhook(
  options: WebhookBenchOptions,
  tls: Tls,
): Promise<RunningWebhook> {
  const logDir = mkdtempSync(join(tmpdir(), "vaultlet-bench-webhook-"));
  const logFile = join(logDir, "webhook.log");
  const logFd = openSync(logFile, "w");
  const port = await freePort();
  const env = {
    PATH: process.env["PATH"] ?? "",
    AGENT_INJECT_VAULT_ADDR: "https://vault.vault.svc:8200",
    AGENT_INJECT_TLS_CERT_FILE: tls.certFile,
    AGENT_INJECT_TLS_KEY_FILE: tls.keyFile,
    ...options.env,
  };
  const { child, note } = options.reference
    ? await spawnReference({ bin: options.reference, port, env, logFd, workDir: logDir })
    : { child: spawnVaultlet(options, port, env, logFd), note: undefined };
  closeSync(logFd);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(logDir, { recursive: true, force: true });
  };
  const url = `https://127.0.0.1:${port}`;
  try {
    const health = options.reference ? "/health/ready" : "/healthz";
    await waitForHealth(child, url, tls.ca.certPem, logFile, health);
  } catch (err) {
    await stop();
    throw err;
  }
  if (note) lastReferenceNote = note;
  return { pid: child.pid!, url, stop };
}

/** vaultlet's webhook with the image's node settings (unless the options say otherwise). */
function spawnVaultlet(
  options: WebhookBenchOptions,
  port: number,
  env: Record<string, string>,
  logFd: number,
): ChildProcess {
  const { NODE_OPTIONS: _image, ...imageMalloc } = imageEnv("webhook");
  const nodeOptions = webhookNodeOptions(options);
  return spawn(
    process.execPath,
    [...webhookNodeArgs(options), options.bin ?? BIN, "webhook", `-listen=127.0.0.1:${port}`],
    {
      env: {
        ...(options.nodeOptions === undefined ? imageMalloc : {}),
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        ...env,
      },
      stdio: ["ignore", "ignore", logFd],
    },
  );
}

function cannonOptions(url: string, tls: Tls, body: string) {
  return {
    url: `${url}/mutate`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    tlsOptions: { ca: tls.ca.certPem },
    verifyBody: (b: string) => b.includes(PATCH_MARK),
  };
}

interface MemoryRun {
  idle: number;
  peak: number;
  afterEachBurst: number[];
  cpuMs: number;
}

/**
 * The must-show figures, each in a fresh webhook: resident set idle (started,
 * one review answered, 2 s of quiet), then its peak (VmHWM) over 10,000
 * reviews at 50 connections with nothing before them but that one review,
 * and the CPU per review of the burst.
 */
async function memoryRun(
  options: WebhookBenchOptions,
  tls: Tls,
  body: string,
  say: (line: string) => void,
): Promise<MemoryRun> {
  const burstRequests = options.burstRequests ?? 10_000;
  const webhook = await startWebhook(options, tls);
  try {
    const check = await postReview(webhook.url, tls.ca.certPem, JSON.parse(body));
    if (!check.body.toString().includes(PATCH_MARK)) {
      throw new Error(`the benchmark pod is not injected: ${check.body.toString().slice(0, 500)}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const idle = procMemory(webhook.pid).rssMiB;
    const cpuBefore = procCpuSeconds(webhook.pid);
    let answered = 0;
    const afterEachBurst: number[] = [];
    for (let i = 0; burstRequests > 0 && i < (options.bursts ?? 1); i++) {
      say(`burst of ${burstRequests} requests at 50 connections`);
      const burst = await autocannon({
        ...cannonOptions(webhook.url, tls, body),
        connections: 50,
        amount: burstRequests,
      });
      if (burst.errors + burst.timeouts + burst.non2xx + burst.mismatches > 0) {
        say(
          `  burst: ${burst.errors} errors, ${burst.timeouts} timeouts, ${burst.non2xx} non-2xx, ${burst.mismatches} bad bodies`,
        );
      }
      answered += burst["2xx"];
      afterEachBurst.push(procMemory(webhook.pid).rssMiB);
    }
    const cpuMs = ((procCpuSeconds(webhook.pid) - cpuBefore) * 1000) / answered;
    return { idle, peak: procMemory(webhook.pid).peakMiB, afterEachBurst, cpuMs };
  } finally {
    await webhook.stop();
  }
}

async function measureMemory(
  options: WebhookBenchOptions,
  tls: Tls,
  body: string,
  say: (line: string) => void,
) {
  const runs: MemoryRun[] = [];
  const count = options.memoryRuns ?? 3;
  for (let i = 0; i < count; i++) {
    say(`memory, fresh webhook ${i + 1}/${count}`);
    runs.push(await memoryRun(options, tls, body, say));
  }
  const idle = runs.map((r) => r.idle);
  const peaks = runs.map((r) => r.peak);
  return {
    burstRequests: options.burstRequests ?? 10_000,
    memoryRuns: runs.length,
    rssIdleMiB: median(idle),
    rssIdleMaxMiB: Math.max(...idle),
    peakOverBurstMiB: median(peaks),
    peakOverBurstMaxMiB: Math.max(...peaks),
    rssIdleEachMiB: idle,
    peakOverBurstEachMiB: peaks,
    rssAfterEachBurstMiB: runs[0]?.afterEachBurst ?? [],
    rssAfterBurstMiB: runs[0]?.afterEachBurst.at(-1) ?? NaN,
    cpuMsPerRequest: median(runs.map((r) => r.cpuMs)),
  };
}

/** Latency runs in one more webhook, warmed up first; its RSS after the warm-up and at the end. */
async function measureLatency(
  options: WebhookBenchOptions,
  tls: Tls,
  body: string,
  say: (line: string) => void,
) {
  const seconds = options.seconds ?? 10;
  const repeats = options.repeats ?? 3;
  const rate = options.rate ?? 500;
  const levels = options.connections ?? [1, 50, 500];
  if (options.latency === false) {
    const load = loadavg()[0]!;
    return {
      rows: [],
      steadyCpuMs: NaN,
      loadAverage: { start: load, end: load },
      memory: { rssAfterWarmupMiB: NaN, rssAtEndMiB: NaN, peakMiB: NaN },
    };
  }
  const webhook = await startWebhook(options, tls);
  try {
    const common = cannonOptions(webhook.url, tls, body);
    const pid = webhook.pid;
    say("warming up");
    await autocannon({ ...common, connections: 10, duration: 3 });
    const rssAfterWarmupMiB = procMemory(pid).rssMiB;
    const loadStart = loadavg()[0]!;
    const rows: WebhookBenchRow[] = [];
    // The fixed-rate runs go first: a 500-connection run leaves the machine busy for a while.
    const agent = new Agent({ keepAlive: true, maxSockets: 256, ca: tls.ca.certPem });
    // The API server keeps its connections to a webhook open: open them before measuring.
    await openLoop(agent, webhook.url, body, rate, 2);
    const steady: LatencyRun[] = [];
    const cpuBeforeSteady = procCpuSeconds(pid);
    for (let i = 0; i < repeats; i++) {
      say(`${rate} req/s open loop, run ${i + 1}/${repeats}`);
      const run = await openLoop(agent, webhook.url, body, rate, seconds);
      if (run.errors > 0) say(`  errors: ${run.errorKinds?.join(", ")}`);
      steady.push(run);
    }
    const steadyAnswered = steady.reduce((n, r) => n + r.answered, 0);
    const steadyCpuMs = ((procCpuSeconds(pid) - cpuBeforeSteady) * 1000) / steadyAnswered;
    agent.destroy();
    rows.push(summarise(`${rate} req/s open loop`, steady));
    for (const connections of levels) {
      rows.push(await closedLoop(common, connections, seconds, repeats, say));
    }
    const end = procMemory(pid);
    return {
      rows,
      steadyCpuMs,
      loadAverage: { start: loadStart, end: loadavg()[0]! },
      memory: { rssAfterWarmupMiB, rssAtEndMiB: end.rssMiB, peakMiB: end.peakMiB },
    };
  } finally {
    await webhook.stop();
  }
}

async function closedLoop(
  common: ReturnType<typeof cannonOptions>,
  connections: number,
  seconds: number,
  repeats: number,
  say: (line: string) => void,
): Promise<WebhookBenchRow> {
  const runs: LatencyRun[] = [];
  for (let i = 0; i < repeats; i++) {
    say(`${connections} connections, run ${i + 1}/${repeats}`);
    const r = await autocannon({ ...common, connections, duration: seconds });
    runs.push({
      rate: r.requests.average,
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      mismatches: r.mismatches,
      answered: r["2xx"],
    });
  }
  return summarise(`${connections} connections`, runs);
}

/** Markdown: the machine, memory and one table row per run. */
export function formatWebhookBench(r: WebhookBenchResult): string {
  const m = r.machine;
  const mem = r.memory;
  const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
  const each = (v: readonly number[]) => v.map((x) => f(x, 1)).join(", ");
  const verdict = (value: number, goal: number) => (value <= goal ? "met" : "NOT met");
  const lines = [
    `vaultlet webhook, POST /mutate over HTTPS on loopback: ${r.seconds} s per run, median of ${r.repeats} runs`,
    `pod: 4 containers, 10 vault.hashicorp.com annotations, request ${r.requestBytes} bytes`,
    `machine: ${m.cpuModel} x${m.cores}, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}; ` +
      `load average (1 min) ${f(r.loadAverage.start, 2)} at start, ${f(r.loadAverage.end, 2)} at end`,
    `webhook NODE_OPTIONS: ${r.nodeOptions ? `"${r.nodeOptions}"` : "(none)"}; ` +
      `entrypoint node flags: ${r.nodeArgs.length ? r.nodeArgs.join(" ") : "(none)"}`,
    "",
    `| figure (${mem.memoryRuns} fresh webhooks) | median | most | each | goal |`,
    "|---|---:|---:|---|---|",
    `| RSS idle | ${f(mem.rssIdleMiB, 1)} MiB | ${f(mem.rssIdleMaxMiB, 1)} MiB | ${each(mem.rssIdleEachMiB)} | 64 MiB or less: ${verdict(mem.rssIdleMaxMiB, 64)} |`,
    `| peak RSS over ${mem.burstRequests} requests at 50 connections | ${f(mem.peakOverBurstMiB, 1)} MiB | ${f(mem.peakOverBurstMaxMiB, 1)} MiB | ${each(mem.peakOverBurstEachMiB)} | 90 MiB or less: ${verdict(mem.peakOverBurstMaxMiB, 90)} |`,
    `| CPU per request in that burst | ${f(r.cpuMsPerRequest.burst, 3)} ms | | | |`,
    "",
    (mem.rssAfterEachBurstMiB.length > 1
      ? `RSS after each burst of ${mem.burstRequests}: ${each(mem.rssAfterEachBurstMiB)} MiB. `
      : "") +
      `Latency runs' webhook: ${f(mem.rssAfterWarmupMiB, 1)} MiB after warm-up, ` +
      `${f(mem.rssAtEndMiB, 1)} MiB at the end (peak ${f(mem.peakMiB, 1)} MiB); ` +
      `CPU per request ${f(r.cpuMsPerRequest.steady, 3)} ms at ${r.rows[0]?.run ?? "the steady rate"}`,
    "",
    "| run | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | non-2xx | bad body |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const row of r.rows) {
    // autocannon reports whole milliseconds; the open-loop run is timed finer.
    const d = row.run.includes("open loop") ? 2 : 0;
    lines.push(
      `| ${row.run} | ${f(row.reqPerSec, 0)} | ${f(row.p50Ms, d)} | ${f(row.p90Ms, d)} | ${f(row.p99Ms, d)} | ${f(row.maxMs, d)} | ${row.errors} | ${row.non2xx} | ${row.badBody} |`,
    );
  }
  return lines.join("\n");
}

interface LatencyRun {
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  mismatches: number;
  /** 2xx answers. */
  answered: number;
  /** Open loop only: what the failed requests died of, e.g. "ECONNRESET x3". */
  errorKinds?: string[];
}

function summarise(run: string, runs: readonly LatencyRun[]): WebhookBenchRow {
  const med = (pick: (r: LatencyRun) => number) => median(runs.map(pick));
  const sum = (pick: (r: LatencyRun) => number) => runs.reduce((n, r) => n + pick(r), 0);
  return {
    run,
    reqPerSec: med((r) => r.rate),
    p50Ms: med((r) => r.p50),
    p90Ms: med((r) => r.p90),
    p99Ms: med((r) => r.p99),
    maxMs: med((r) => r.max),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    badBody: sum((r) => r.mismatches),
    repeats: runs.length,
  };
}

/** Polls /healthz, so it works at any log level. */
async function waitForHealth(
  child: ChildProcess,
  url: string,
  ca: string,
  logFile: string,
  path = "/healthz",
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await httpsRequest({ url, path, ca }).then(
      (r) => r.status,
      () => 0,
    );
    // the reference's /health/ready answers 204
    if (status >= 200 && status < 300) return;
    const log = () => readFileSync(logFile, "utf8");
    if (child.exitCode !== null) throw new Error(`webhook exited: ${log()}`);
    if (Date.now() > deadline) throw new Error(`webhook did not start in 30 s: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Requests sent on a fixed schedule (one every 1000/rate ms, not in
 * per-second bursts), each timed from when it was due, so a slow answer
 * cannot hide the requests queued behind it (no coordinated omission).
 * Latencies in fractional milliseconds.
 */
async function openLoop(
  agent: Agent,
  url: string,
  body: string,
  rate: number,
  seconds: number,
): Promise<LatencyRun> {
  const target = new URL("/mutate", url);
  const total = rate * seconds;
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let mismatches = 0;
  const errorKinds = new Map<string, number>();
  const headers = {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
  };
  const start = performance.now();
  const pending: Promise<void>[] = [];
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const req = request(target, { method: "POST", agent, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          latencies.push(performance.now() - due);
          if ((res.statusCode ?? 0) >= 300) non2xx++;
          else if (!text.includes(PATCH_MARK)) mismatches++;
          resolve();
        });
      });
      req.on("error", (err: NodeJS.ErrnoException) => {
        errors++;
        const kind = err.code ?? err.message;
        errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
        resolve();
      });
      req.end(body);
    });
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(due));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    rate: latencies.length / elapsed,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: latencies.at(-1) ?? NaN,
    errors,
    non2xx,
    mismatches,
    answered: latencies.length - non2xx,
    errorKinds: [...errorKinds].map(([k, n]) => `${k} x${n}`),
  };
}

/** vaultlet beside the reference injector, figure by figure. */
export function formatWebhookComparison(v: WebhookBenchResult, r: WebhookBenchResult): string {
  const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
  const row = (figure: string, a: number, b: number, digits: number, goal = "") =>
    `| ${figure} | ${f(a, digits)} | ${f(b, digits)} | ${b > 0 ? `${f(a / b, 2)}x` : "-"} | ${goal} |`;
  const lines = [
    "| figure | vaultlet | reference | vaultlet / reference | goal (vaultlet) |",
    "|---|---:|---:|---:|---|",
    row("RSS idle (MiB)", v.memory.rssIdleMiB, r.memory.rssIdleMiB, 1, "<= 64"),
    row(
      `peak RSS over ${v.memory.burstRequests} requests at 50 connections (MiB)`,
      v.memory.peakOverBurstMiB,
      r.memory.peakOverBurstMiB,
      1,
      "<= 90",
    ),
    row("CPU ms per request, burst", v.cpuMsPerRequest.burst, r.cpuMsPerRequest.burst, 3),
  ];
  for (const vr of v.rows) {
    const rr = r.rows.find((x) => x.run === vr.run);
    if (rr) lines.push(row(`req/s, ${vr.run}`, vr.reqPerSec, rr.reqPerSec, 0));
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const common: WebhookBenchOptions = {
    seconds: Number(process.env["BENCH_SECONDS"] ?? 10),
    repeats: Number(process.env["BENCH_REPEATS"] ?? 3),
    latency: !process.env["BENCH_MEMORY_ONLY"],
    memoryRuns: Number(process.env["BENCH_MEMORY_RUNS"] ?? 3),
    progress: (line) => console.error(line),
  };
  const result = await runWebhookBench({
    ...common,
    ...(process.env["VAULTLET_WEBHOOK_BIN"] ? { bin: process.env["VAULTLET_WEBHOOK_BIN"] } : {}),
    ...(process.env["VAULTLET_NODE_OPTIONS"] !== undefined
      ? { nodeOptions: process.env["VAULTLET_NODE_OPTIONS"] }
      : {}),
  });
  console.log(formatWebhookBench(result));
  // the reference injector right after, the same way, when its binary is here
  const reference = referenceBinary();
  if (!reference) console.log(`\nReference injector: ${HOW_TO_BUILD_REFERENCE}`);
  else {
    const r = await runWebhookBench({ ...common, reference });
    console.log(`\n${r.server}: ${r.note ?? ""}\n\n${formatWebhookComparison(result, r)}`);
  }
}
