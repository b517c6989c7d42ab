/**
 * Admission webhook throughput and latency (not a test).
 *
 *   node test/bench/webhook.ts                      # 10 s per run, 3 repeats
 *   BENCH_SECONDS=5 BENCH_REPEATS=5 node test/bench/webhook.ts
 *   VAULTLET_WEBHOOK_BIN=/other/checkout/deploy/cli/bin.ts node test/bench/webhook.ts
 *   VAULTLET_WEBHOOK_BIN=dist/vaultlet-webhook.mjs BENCH_MEMORY_ONLY=1 node test/bench/webhook.ts
 *
 * The webhook runs with the webhook image's NODE_OPTIONS and MALLOC_* (from the
 * image layout) unless VAULTLET_NODE_OPTIONS names other node flags (""
 * for node's and glibc's defaults).
 *
 * Starts `vaultlet webhook` as its own process (TLS from files, loopback,
 * default info-level JSON logs written to a file as a container runtime
 * would collect them), then drives POST /mutate over HTTPS for a pod with 4
 * containers and 10 vault.hashicorp.com annotations:
 *
 * - memory: resident set of the webhook idle (started, one review answered,
 *   2 s of quiet), its peak (VmHWM) over the warm-up and a burst of 10,000
 *   requests at 50 connections, and the resident set after warm-up, after
 *   the burst and at the end;
 * - an open-loop run at a steady 500 requests/s, evenly spaced (the target:
 *   p99 under 5 ms there). autocannon's own fixed-rate mode sends each
 *   second's requests in one burst, so this run uses its own schedule;
 * - autocannon's closed-loop runs at 1, 50 and 500 concurrent connections
 *   (as fast as the server answers).
 *
 * Every figure is the median over the repeats (this machine is shared and
 * noisy); the load average is recorded before and after.
 *
 * Other benchmarks call `runWebhookBench(options)` and format the rows
 * themselves, or use `formatWebhookBench(result)` for a markdown table.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { cpus, loadavg, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { freePort } from "../support/processes.ts";
import { httpsRequest, postReview } from "../webhook/server/https.ts";
import { admissionReview, annotatedPod } from "../webhook/server/reviews.ts";
import { tlsFixture } from "../webhook/server/tls-fixture.ts";
import {
  commitOf,
  imageEnv,
  median,
  procCpuSeconds,
  procMemory,
  RESULTS_DIR,
} from "./proc-stats.ts";
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
  /** How many such bursts, RSS read after each (default 1). */
  readonly bursts?: number;
  /** The vaultlet entry point to run (default: this checkout's deploy/cli/bin.ts). */
  readonly bin?: string;
  /** Extra environment for the webhook, e.g. { AGENT_INJECT_LOG_LEVEL: "warn" }. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags for the webhook process, e.g. ["--cpu-prof", "--cpu-prof-dir=DIR"]. */
  readonly nodeArgs?: readonly string[];
  /** NODE_OPTIONS of the webhook process (default: the webhook image's, with its MALLOC_* settings). */
  readonly nodeOptions?: string;
  /** False: memory and the burst only, no latency runs (default true). */
  readonly latency?: boolean;
  /** Progress lines (default: none). */
  readonly progress?: (line: string) => void;
  /**
   * Which webhook: vaultlet's (default), or the reference injector's binary
   * (`vault-k8s agent-inject`, see webhook-reference.ts) with the same
   * review, TLS files and environment.
   */
  readonly reference?: string;
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
  /** "vaultlet" or "reference (vault-k8s v1.7.6)" */
  readonly server: string;
  /** how the server ran, beyond its command (the reference's Kubernetes client) */
  readonly note?: string;
  readonly rows: readonly WebhookBenchRow[];
  readonly memory: {
    readonly burstRequests: number;
    /** Started, one review answered, 2 s of quiet. */
    readonly rssIdleMiB: number;
    /** VmHWM after the warm-up and the burst: the most it held up to then. */
    readonly peakOverBurstMiB: number;
    readonly rssAfterWarmupMiB: number;
    readonly rssAfterBurstMiB: number;
    /** After each burst when there are several. */
    readonly rssAfterEachBurstMiB: readonly number[];
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
  readonly nodeOptions: string;
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
  const rate = options.rate ?? 500;
  const levels = options.connections ?? [1, 50, 500];
  const burstRequests = options.burstRequests ?? 10_000;
  const say = options.progress ?? (() => {});

  const tls = await tlsFixture();
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
  const server = await startServer(options, { port, env, logFd, workDir: logDir });
  const { child, nodeOptions } = server;
  closeSync(logFd);
  try {
    const url = `https://127.0.0.1:${port}`;
    await waitForHealth(child, url, tls.ca.certPem, logFile, server.healthPath);
    const body = JSON.stringify(admissionReview({ object: benchPod() }));
    const check = await postReview(url, tls.ca.certPem, JSON.parse(body));
    if (!check.body.toString().includes(PATCH_MARK)) {
      throw new Error(`the benchmark pod is not injected: ${check.body.toString().slice(0, 500)}`);
    }
    const common = {
      url: `${url}/mutate`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      tlsOptions: { ca: tls.ca.certPem },
      verifyBody: (b: string) => b.includes(PATCH_MARK),
    };
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 2000));
    const rssIdleMiB = procMemory(pid).rssMiB;
    say("warming up");
    await autocannon({ ...common, connections: 10, duration: 3 });
    const rssAfterWarmupMiB = procMemory(pid).rssMiB;
    const cpuBeforeBurst = procCpuSeconds(pid);
    let burstAnswered = 0;
    const rssAfterEachBurstMiB: number[] = [];
    for (let i = 0; burstRequests > 0 && i < (options.bursts ?? 1); i++) {
      say(`burst of ${burstRequests} requests`);
      const burst = await autocannon({ ...common, connections: 50, amount: burstRequests });
      burstAnswered += burst["2xx"];
      rssAfterEachBurstMiB.push(procMemory(pid).rssMiB);
    }
    const burstCpuMs = ((procCpuSeconds(pid) - cpuBeforeBurst) * 1000) / burstAnswered;
    const afterBurst = procMemory(pid);
    const rssAfterBurstMiB = afterBurst.rssMiB;
    const peakOverBurstMiB = afterBurst.peakMiB;

    const loadStart = loadavg()[0]!;
    const rows: WebhookBenchRow[] = [];
    // The fixed-rate runs go first: a 500-connection run leaves the machine busy for a while.
    const agent = new Agent({ keepAlive: true, maxSockets: 256, ca: tls.ca.certPem });
    // The API server keeps its connections to a webhook open: open them before measuring.
    await openLoop(agent, url, body, rate, 2);
    const steady: LatencyRun[] = [];
    const cpuBeforeSteady = procCpuSeconds(pid);
    const latencyRepeats = options.latency === false ? 0 : repeats;
    for (let i = 0; i < latencyRepeats; i++) {
      say(`${rate} req/s open loop, run ${i + 1}/${repeats}`);
      const run = await openLoop(agent, url, body, rate, seconds);
      if (run.errors > 0) say(`  errors: ${run.errorKinds?.join(", ")}`);
      steady.push(run);
    }
    const steadyAnswered = steady.reduce((n, r) => n + r.answered, 0);
    const steadyCpuMs = ((procCpuSeconds(pid) - cpuBeforeSteady) * 1000) / steadyAnswered;
    agent.destroy();
    if (steady.length > 0) rows.push(summarise(`${rate} req/s open loop`, steady));
    for (const connections of options.latency === false ? [] : levels) {
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
      rows.push(summarise(`${connections} connections`, runs));
    }
    const end = procMemory(pid);
    const cpu = cpus();
    return {
      server: server.label,
      ...(server.note ? { note: server.note } : {}),
      rows,
      memory: {
        burstRequests,
        rssIdleMiB,
        peakOverBurstMiB,
        rssAfterWarmupMiB,
        rssAfterBurstMiB,
        rssAfterEachBurstMiB,
        rssAtEndMiB: end.rssMiB,
        peakMiB: end.peakMiB,
      },
      cpuMsPerRequest: { burst: burstCpuMs, steady: steadyCpuMs },
      loadAverage: { start: loadStart, end: loadavg()[0]! },
      machine: {
        cpuModel: cpu[0]?.model ?? "unknown",
        cores: cpu.length,
        memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
        os: type(),
        node: process.version,
      },
      requestBytes: Buffer.byteLength(body),
      nodeOptions,
      seconds,
      repeats,
    };
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    await tls.cleanup();
    rmSync(logDir, { recursive: true, force: true });
  }
}

interface StartedServer {
  child: ChildProcess;
  label: string;
  healthPath: string;
  nodeOptions: string;
  note?: string;
}

/** vaultlet's webhook with the image's node settings, or the reference injector. */
async function startServer(
  options: WebhookBenchOptions,
  run: { port: number; env: Record<string, string>; logFd: number; workDir: string },
): Promise<StartedServer> {
  if (options.reference) {
    const ref = await spawnReference({ bin: options.reference, ...run });
    return {
      child: ref.child,
      label: `reference (vault-k8s ${REFERENCE_VERSION})`,
      healthPath: "/health/ready",
      nodeOptions: "",
      note: ref.note,
    };
  }
  const { NODE_OPTIONS: imageNodeOptions, ...imageMalloc } = imageEnv("webhook");
  const nodeOptions = options.nodeOptions ?? imageNodeOptions!;
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.bin ?? BIN, "webhook", `-listen=127.0.0.1:${run.port}`],
    {
      env: {
        ...(options.nodeOptions === undefined ? imageMalloc : {}),
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        ...run.env,
      },
      stdio: ["ignore", "ignore", run.logFd],
    },
  );
  return { child, label: "vaultlet", healthPath: "/healthz", nodeOptions };
}

/** Markdown: the machine, memory and one table row per run. */
export function formatWebhookBench(r: WebhookBenchResult): string {
  const m = r.machine;
  const goals = r.server === "vaultlet";
  const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
  const lines = [
    `${r.server} webhook, POST /mutate over HTTPS on loopback: ${r.seconds} s per run, median of ${r.repeats} runs`,
    ...(r.note ? [`${r.server}: ${r.note}`] : []),
    `pod: 4 containers, 10 vault.hashicorp.com annotations, request ${r.requestBytes} bytes`,
    `machine: ${m.cpuModel} x${m.cores}, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}; ` +
      `load average (1 min) ${f(r.loadAverage.start, 2)} at start, ${f(r.loadAverage.end, 2)} at end`,
    ...(r.server === "vaultlet"
      ? [`webhook NODE_OPTIONS: ${r.nodeOptions ? `"${r.nodeOptions}"` : "(none)"}`]
      : []),
    `webhook RSS idle: ${f(r.memory.rssIdleMiB, 1)} MiB${goals ? " (goal 64 MiB or less)" : ""}; ` +
      `peak over ${r.memory.burstRequests} requests at 50 connections: ${f(r.memory.peakOverBurstMiB, 1)} MiB${goals ? " (goal 90 MiB or less)" : ""}`,
    `webhook RSS: ${f(r.memory.rssAfterWarmupMiB, 1)} MiB after warm-up, ` +
      (r.memory.rssAfterEachBurstMiB.length > 1
        ? `${r.memory.rssAfterEachBurstMiB.map((v) => f(v, 1)).join(", ")} MiB after each burst of ${r.memory.burstRequests} requests, `
        : `${f(r.memory.rssAfterBurstMiB, 1)} MiB after ${r.memory.burstRequests} more requests, `) +
      `${f(r.memory.rssAtEndMiB, 1)} MiB at the end (peak ${f(r.memory.peakMiB, 1)} MiB)`,
    `webhook CPU per request: ${f(r.cpuMsPerRequest.burst, 3)} ms in the burst (50 connections), ` +
      `${f(r.cpuMsPerRequest.steady, 3)} ms at ${r.rows[0]?.run ?? "the steady rate"}`,
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

/** Polls the health path, so it works at any log level. */
async function waitForHealth(
  child: ChildProcess,
  url: string,
  ca: string,
  logFile: string,
  path: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await httpsRequest({ url, path, ca }).then(
      (r) => r.status,
      () => 0,
    );
    // the reference answers its readiness path with 204
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

/**
 * Markdown: vaultlet beside the reference injector, measured one after the
 * other in the same run, with vaultlet's figure over the reference's.
 */
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
    row("RSS at the end (MiB)", v.memory.rssAtEndMiB, r.memory.rssAtEndMiB, 1),
    row("CPU ms per request, burst", v.cpuMsPerRequest.burst, r.cpuMsPerRequest.burst, 3),
  ];
  const open = (x: WebhookBenchResult) => x.rows.find((row) => row.run.includes("open loop"));
  const [vo, ro] = [open(v), open(r)];
  if (vo && ro) {
    lines.push(
      row(`CPU ms per request, ${vo.run}`, v.cpuMsPerRequest.steady, r.cpuMsPerRequest.steady, 3),
      row(`p50 ms, ${vo.run}`, vo.p50Ms, ro.p50Ms, 2),
      row(`p99 ms, ${vo.run}`, vo.p99Ms, ro.p99Ms, 2),
    );
  }
  for (const vr of v.rows.filter((x) => x.run.endsWith("connections"))) {
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
    progress: (line) => console.error(line),
  };
  const vaultlet = await runWebhookBench({
    ...common,
    ...(process.env["VAULTLET_WEBHOOK_BIN"] ? { bin: process.env["VAULTLET_WEBHOOK_BIN"] } : {}),
    ...(process.env["VAULTLET_NODE_OPTIONS"] !== undefined
      ? { nodeOptions: process.env["VAULTLET_NODE_OPTIONS"] }
      : {}),
  });
  console.log(formatWebhookBench(vaultlet));
  const reference = referenceBinary();
  if (!reference || process.env["BENCH_NO_REFERENCE"]) {
    console.log(
      `\n${reference ? "reference injector: left out (BENCH_NO_REFERENCE)" : HOW_TO_BUILD_REFERENCE}`,
    );
  } else {
    const ref = await runWebhookBench({ ...common, reference });
    const text = referenceReport(vaultlet, ref);
    console.log(`\n${text}`);
    writeFileSync(join(RESULTS_DIR, "webhook-reference.md"), text + "\n");
  }
}

/** The standalone run's result, kept in test/bench/results for BENCHMARKS.md. */
function referenceReport(v: WebhookBenchResult, r: WebhookBenchResult): string {
  const env = ["BENCH_SECONDS", "BENCH_REPEATS", "BENCH_MEMORY_ONLY", "VAULTLET_WEBHOOK_BIN"]
    .filter((k) => process.env[k] !== undefined)
    .map((k) => `${k}=${process.env[k]}`);
  const f = (n: number) => n.toFixed(1);
  return [
    `## Webhook against the reference injector (vault-k8s ${REFERENCE_VERSION})`,
    "",
    `Run ${new Date().toISOString()} at commit ${commitOf()}; ${v.machine.cores} cores (${v.machine.cpuModel}, shared with other work), ${v.machine.memoryGiB} GiB. ` +
      `Load average (1 min): ${f(v.loadAverage.start)} to ${f(v.loadAverage.end)} while vaultlet ran, ${f(r.loadAverage.start)} to ${f(r.loadAverage.end)} while the reference ran.`,
    `Command: \`${[...env, "node test/bench/webhook.ts"].join(" ")}\` (the reference built as \`node test/bench/webhook.ts\` prints when it is missing).`,
    "Both served the same AdmissionReview (4 containers, 10 annotations) over TLS on loopback, one after the other; vaultlet with the webhook image's settings, the reference as built, with Go's defaults.",
    `${r.server}: ${r.note ?? ""}`,
    "",
    formatWebhookComparison(v, r),
    "",
    "<details><summary>each server's own figures</summary>",
    "",
    formatWebhookBench(v),
    "",
    formatWebhookBench(r),
    "",
    "</details>",
  ].join("\n");
}
