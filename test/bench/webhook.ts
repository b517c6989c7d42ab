/**
 * Admission webhook throughput and latency (not a test).
 *
 *   node test/bench/webhook.ts            # 10 s per run
 *   BENCH_SECONDS=30 node test/bench/webhook.ts
 *
 * Starts `vaultlet webhook` as its own process (TLS from files, loopback),
 * then drives POST /mutate over HTTPS for a pod with 4 containers and 10
 * vault.hashicorp.com annotations: an open-loop run at a steady 500
 * requests/s (the target: p99 under 5 ms there), then autocannon's
 * closed-loop runs at 1, 50 and 500 concurrent connections (as fast as the
 * server answers). Prints a table and the machine it ran on. autocannon's
 * own fixed-rate mode sends each second's requests in one burst, so the
 * steady-rate run uses its own evenly spaced schedule instead.
 */
import { spawn } from "node:child_process";
import { Agent, request } from "node:https";
import { cpus, totalmem, type } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { postReview } from "../webhook/server/https.ts";
import { admissionReview, annotatedPod } from "../webhook/server/reviews.ts";
import { tlsFixture } from "../webhook/server/tls-fixture.ts";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 10);
const BIN = fileURLToPath(new URL("../../shared/cli/bin.ts", import.meta.url));

function benchPod() {
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

async function main(): Promise<void> {
  const tls = await tlsFixture();
  const child = spawn(process.execPath, [BIN, "webhook", "-listen=127.0.0.1:0"], {
    env: {
      PATH: process.env["PATH"] ?? "",
      AGENT_INJECT_VAULT_ADDR: "https://vault.vault.svc:8200",
      AGENT_INJECT_TLS_CERT_FILE: tls.certFile,
      AGENT_INJECT_TLS_KEY_FILE: tls.keyFile,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buf = "";
      const onData = (c: Buffer) => {
        buf += c;
        const m = /"port":(\d+).*"msg":"webhook listening"/.exec(buf);
        if (!m) return;
        child.stderr.off("data", onData);
        child.stderr.resume();
        resolve(Number(m[1]));
      };
      child.stderr.on("data", onData);
      child.once("exit", () => reject(new Error(`webhook exited: ${buf}`)));
    });
    const pod = benchPod();
    const body = JSON.stringify(admissionReview({ object: pod }));
    const common = {
      url: `https://127.0.0.1:${port}/mutate`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duration: SECONDS,
      tlsOptions: { ca: tls.ca.certPem },
      verifyBody: (b: string) => b.includes('"patchType":"JSONPatch"'),
    };
    const check = await postReview(`https://127.0.0.1:${port}`, tls.ca.certPem, JSON.parse(body));
    if (!check.body.toString().includes('"patchType":"JSONPatch"')) {
      throw new Error(`the benchmark pod is not injected: ${check.body.toString().slice(0, 500)}`);
    }
    // Warm up the JIT before measuring.
    await autocannon({ ...common, connections: 10, duration: 3 });

    const rows: Array<[string, Awaited<ReturnType<typeof autocannon>>]> = [];
    // The fixed-rate run goes first: a 500-connection run leaves the machine busy for a while.
    const steady = await openLoop(`https://127.0.0.1:${port}`, tls.ca.certPem, body, 500, SECONDS);
    for (const connections of [1, 50, 500]) {
      rows.push([`${connections} connections`, await autocannon({ ...common, connections })]);
    }

    const cpu = cpus();
    console.log(`\nvaultlet webhook, POST /mutate over HTTPS on loopback, ${SECONDS} s per run`);
    console.log(
      `pod: 4 containers, 10 vault.hashicorp.com annotations, request ${body.length} bytes`,
    );
    console.log(
      `machine: ${cpu[0]?.model ?? "unknown CPU"} x${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${type()}, node ${process.version}\n`,
    );
    console.log(
      "| run | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | non-2xx | bad body |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    console.log(
      `| 500 req/s open loop | ${steady.rate.toFixed(0)} | ${steady.p50.toFixed(2)} | ${steady.p90.toFixed(2)} | ${steady.p99.toFixed(2)} | ${steady.max.toFixed(2)} | ${steady.errors} | ${steady.non2xx} | ${steady.mismatches} |`,
    );
    for (const [name, r] of rows) {
      console.log(
        `| ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p90} | ${r.latency.p99} | ${r.latency.max} | ${r.errors + r.timeouts} | ${r.non2xx} | ${r.mismatches} |`,
      );
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await tls.cleanup();
  }
}

interface OpenLoopResult {
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  mismatches: number;
}

/**
 * Requests sent on a fixed schedule (one every 1000/rate ms, not in
 * per-second bursts), each timed from when it was due, so a slow answer
 * cannot hide the requests queued behind it (no coordinated omission).
 * Latencies in fractional milliseconds.
 */
async function openLoop(
  url: string,
  ca: string,
  body: string,
  rate: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256, ca });
  // The API server keeps its connections to a webhook open: open them before measuring.
  await timedRun(agent, url, body, rate, 2);
  const result = await timedRun(agent, url, body, rate, seconds);
  agent.destroy();
  return result;
}

async function timedRun(
  agent: Agent,
  url: string,
  body: string,
  rate: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const target = new URL("/mutate", url);
  const total = rate * seconds;
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let mismatches = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        target,
        {
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => {
            latencies.push(performance.now() - due);
            if ((res.statusCode ?? 0) >= 300) non2xx++;
            else if (!text.includes('"patchType":"JSONPatch"')) mismatches++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
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
  };
}

await main();
