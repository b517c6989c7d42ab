/**
 * Health probes of a starved webhook: how long a kubelet-style probe (a
 * fresh TLS connection to /health/ready, every 500 ms) takes while 50
 * connections keep the webhook busy with reviews and two busy loops hold
 * both cores. The webhook runs at a lower CPU weight (`renice`, default 10:
 * about a tenth of a busy core's share, like a pod's 100m request on a busy
 * node). The probes are timed by curl in its own process, so the load
 * generator's event loop is not in the figure.
 *
 * vaultlet runs its bundle with the image's node settings; the reference
 * injector (vault-k8s, when built: test/bench/webhook-reference.ts) runs
 * after it under the same load, as built. Each may be given more than once.
 *
 *   node test/bench/webhook-probes.ts [--nice=10] [--seconds=30]
 *     [--bundle=[LABEL=]dist/vaultlet-webhook.mjs]... [--no-reference] [--write]
 *
 * --write puts the table in test/bench/results/webhook-probes.md.
 * The chart's liveness probe allows 5 s per probe and restarts the pod after
 * three failures in a row (test/cluster/webhook-load.test.ts runs it in pods).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { admissionReview } from "../webhook/server/reviews.ts";
import { tlsFixture } from "../webhook/server/tls-fixture.ts";
import { benchPod, startWebhook, type WebhookBenchOptions } from "./webhook.ts";
import { REFERENCE_VERSION, referenceBinary } from "./webhook-reference.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HEALTH = "/health/ready";
const PROBE_TIMEOUT_MS = 5000;

const { values } = parseArgs({
  options: {
    nice: { type: "string", default: "10" },
    seconds: { type: "string", default: "30" },
    bundle: { type: "string", multiple: true },
    "no-reference": { type: "boolean", default: false },
    write: { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const bundles = values.bundle ?? [join(ROOT, "dist/vaultlet-webhook.mjs")];

interface Server {
  readonly name: string;
  /** how test/bench/webhook.ts starts it: the bundle, or the reference's binary */
  readonly options: WebhookBenchOptions;
}

interface ProbeResult {
  readonly name: string;
  readonly reviews: number;
  readonly reviewErrors: number;
  readonly reviewP50: number;
  readonly reviewP99: number;
  readonly probes: number;
  readonly failed: number;
  readonly over: number;
  readonly p50?: number;
  readonly p90?: number;
  readonly max?: number;
  readonly load: readonly [number, number];
}

const tls = await tlsFixture();
const caFile = join(tls.dir, "ca.crt");
writeFileSync(caFile, tls.ca.certPem);
const body = JSON.stringify(admissionReview({ object: benchPod() }));

/** `PATH` or `LABEL=PATH` (a label such as "before the change" names the row). */
function vaultlet(arg: string): Server {
  const eq = arg.indexOf("=");
  const bundle = eq === -1 ? arg : arg.slice(eq + 1);
  const label = eq === -1 ? relative(ROOT, bundle) || bundle : arg.slice(0, eq);
  return { name: `vaultlet (${label})`, options: { bin: bundle } };
}

/** One probe as the kubelet sends it: milliseconds, or undefined when it failed. */
function probe(url: string): Promise<number | undefined> {
  const args = ["-s", "-o", "/dev/null", "--cacert", caFile, "-w", "%{http_code} %{time_total}"];
  return new Promise((resolve) => {
    execFile("curl", [...args, `${url}${HEALTH}`], (_err, out) => {
      const [code, total] = String(out).split(" ");
      // the reference answers 204, vaultlet 200
      resolve(/^2\d\d$/.test(code ?? "") ? Number(total) * 1000 : undefined);
    });
  });
}

async function measure(server: Server): Promise<ProbeResult> {
  const hook = await startWebhook(
    { ...server.options, env: { AGENT_INJECT_LOG_LEVEL: "error" } },
    tls,
  );
  const url = hook.url;
  const busy: ChildProcess[] = [];
  try {
    // every thread: a Go server runs its goroutines on threads other than the pid's own
    const tasks = readdirSync(`/proc/${hook.pid}/task`);
    execFileSync("renice", ["-n", values.nice, "-p", ...tasks], { stdio: "ignore" });
    for (let i = 0; i < 2; i++) {
      busy.push(spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore" }));
    }
    const loadBefore = loadavg()[0]!;
    const probes: (number | undefined)[] = [];
    let loading = true;
    const prober = (async () => {
      while (loading) {
        probes.push(await probe(url));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const load = await autocannon({
      url: `${url}/mutate`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      tlsOptions: { ca: tls.ca.certPem },
      connections: 50,
      duration: seconds,
      timeout: 30,
    });
    loading = false;
    await prober;
    const answered = probes.filter((p): p is number => p !== undefined).sort((a, b) => a - b);
    const at = (q: number) =>
      answered[Math.min(answered.length - 1, Math.floor(q * answered.length))];
    const failed = probes.length - answered.length;
    return {
      name: server.name,
      reviews: load["2xx"],
      reviewErrors: load.errors + load.timeouts + load.non2xx,
      reviewP50: load.latency.p50,
      reviewP99: load.latency.p99,
      probes: probes.length,
      failed,
      over: failed + answered.filter((p) => p > PROBE_TIMEOUT_MS).length,
      ...(answered.length ? { p50: at(0.5), p90: at(0.9), max: answered.at(-1) } : {}),
      load: [loadBefore, loadavg()[0]!],
    };
  } finally {
    for (const b of busy) b.kill("SIGKILL");
    await hook.stop();
  }
}

function report(results: readonly ProbeResult[]): string {
  const ms = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(0));
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT })
    .toString()
    .trim();
  const cpu = cpus();
  return [
    "## Health probes of a starved webhook",
    "",
    `Run ${new Date().toISOString()} at commit ${commit}; ${cpu.length} cores (${cpu[0]?.model ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB.`,
    `Command: \`node test/bench/webhook-probes.ts --nice=${values.nice} --seconds=${seconds}${values.bundle ? values.bundle.map((b) => ` --bundle=${JSON.stringify(b)}`).join("") : ""}\`.`,
    `Each webhook at nice ${values.nice} (about a tenth of a core's weight, like a pod's 100m CPU request on a busy node) for ${seconds} s of reviews on 50 connections, two busy loops on the 2 cores; a probe of ${HEALTH} on a fresh TLS connection every 500 ms, timed by curl. The chart's liveness probe fails at 5 s and restarts the pod after three failures in a row.`,
    "",
    "| webhook | reviews answered | review errors | review p50 / p99 ms | probes | probe p50 ms | probe p90 ms | probe max ms | probes failed or over 5 s | load (1 min) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.reviews} | ${r.reviewErrors} | ${r.reviewP50} / ${r.reviewP99} | ${r.probes} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.max)} | ${r.over} | ${r.load[0].toFixed(1)} to ${r.load[1].toFixed(1)} |`,
    ),
  ].join("\n");
}

try {
  const servers = bundles.map(vaultlet);
  const bin = values["no-reference"] ? undefined : referenceBinary();
  if (bin)
    servers.push({
      name: `reference (vault-k8s ${REFERENCE_VERSION})`,
      options: { reference: bin },
    });
  const results: ProbeResult[] = [];
  for (const server of servers) {
    console.error(`measuring ${server.name} ...`);
    results.push(await measure(server));
  }
  const text = report(results);
  console.log(text);
  if (values.write) writeFileSync(join(ROOT, "test/bench/results/webhook-probes.md"), text + "\n");
} finally {
  await tls.cleanup();
}
