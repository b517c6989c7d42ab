/**
 * The webhook under load in real pods, with the chart's own memory limit: a
 * burst of pod creations through the API server and, while it lasts,
 * 10,000 AdmissionReviews on 50 connections to one webhook pod (the
 * benchmark's review: 4 containers, 10 annotations, TLS). The API server
 * sends about half of the burst to that saturated pod: its reviews carry the
 * chart's 10 s timeout, the load's 30 s, and the webhook serves the earliest
 * deadline first. Both pods keep running: no restart, no OOM kill, every
 * review answered with its patch, every pod of the burst admitted with its
 * agent.
 * The cgroup's peak charge is printed beside the limit (test/bench/webhook.ts
 * measures the process's own resident set).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { parse } from "yaml";
import { testCluster } from "../support/cluster/client.ts";
import { ensureVaultletImage } from "../support/cluster/vaultlet-images.ts";
import { admissionReview } from "../webhook/server/reviews.ts";
import { benchPod } from "../bench/webhook.ts";
import {
  CHART,
  agentOf,
  cgroupMemory,
  containerId,
  containerPid,
  createPod,
  installWebhook,
  unscheduledAnnotatedPod,
  type Obj,
  type WebhookRelease,
} from "./webhook-release.ts";

const REVIEWS = 10_000;
const CONNECTIONS = 50;
const POD_BURST = 40;
const PATCH_MARK = '"patchType":"JSONPatch"';

let release: WebhookRelease;

before(async () => {
  const cluster = testCluster();
  await ensureVaultletImage(cluster, "webhook");
  release = await installWebhook(cluster, "whload", "vaultlet-test/webhook-load");
});

after(async () => {
  await release?.uninstall();
});

/** `Mi` quantities only: the chart writes its memory in Mi. */
function mebibytes(quantity: string): number {
  const m = /^(\d+)Mi$/.exec(quantity);
  assert.ok(m, `expected a memory quantity in Mi, got ${quantity}`);
  return Number(m[1]);
}

async function caBundle(): Promise<string> {
  return release.eventually("the webhook's caBundle", 60_000, async () => {
    const mwc = await release.cluster.getJson<Obj>([
      ...["get", "mutatingwebhookconfiguration", `vaultlet-${release.ns}`],
    ]);
    const ca = mwc.webhooks[0].clientConfig.caBundle as string | undefined;
    return ca ? Buffer.from(ca, "base64").toString("utf8") : undefined;
  });
}

/**
 * Annotated pods created through the API server, eight at a time, until
 * `done` settles and at least POD_BURST were created.
 */
async function podBurst(
  done: Promise<unknown>,
): Promise<{ results: (Obj | Error)[]; ms: number[] }> {
  const results: (Obj | Error)[] = [];
  const ms: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  let next = 0;
  const worker = async () => {
    while (!finished || next < POD_BURST) {
      const name = `burst-${next++}`;
      const start = performance.now();
      results.push(await createPod(release.cluster, unscheduledAnnotatedPod(name), release.apps));
      ms.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { results, ms };
}

/**
 * The API server's own count of its calls to vaultlet webhooks, by outcome
 * and latency bucket (0.1, 1, 10 s and all; cumulative, every release in
 * the cluster): the difference over the test says how long the burst's
 * reviews took as the API server saw them.
 */
async function webhookCalls(): Promise<Map<string, number>> {
  const text = await release.cluster.kubectl(["get", "--raw", "/metrics"]);
  const counts = new Map<string, number>();
  const line =
    /^apiserver_admission_webhook_admission_duration_seconds_bucket\{name="inject\.vaultlet\.io",.*rejected="(\w+)".*le="(0\.1|1|10|\+Inf)"\} (\d+)$/gm;
  for (const m of text.matchAll(line)) {
    const key = `${m[1] === "true" ? "refused" : "admitted"} le ${m[2]} s`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[3]));
  }
  return counts;
}

function callsDuring(before: Map<string, number>, after: Map<string, number>): string {
  return [...after].map(([key, n]) => `${key}: ${n - (before.get(key) ?? 0)}`).join(", ");
}

function reviews(podIp: string, port: number, ca: string) {
  return autocannon({
    // a client that waits 30 s, the API server's longest webhook timeout; the
    // burst's reviews come through the API server with the chart's 10 s
    url: `https://${podIp}:${port}/mutate?timeout=30s`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admissionReview({ object: benchPod(), namespace: release.apps })),
    // autocannon does not verify the server (rejectUnauthorized: false); the CA is the caBundle's
    tlsOptions: { ca },
    connections: CONNECTIONS,
    amount: REVIEWS,
    timeout: 30,
    verifyBody: (b: string) => b.includes(PATCH_MARK),
  });
}

test("with the chart's memory limit, a burst of pod creations plus 10,000 reviews on 50 connections to one webhook pod leave every webhook pod running with restart count 0 and admit every pod of the burst", async (t) => {
  const values = parse(readFileSync(join(CHART, "values.yaml"), "utf8"));
  const limitMi = mebibytes(values.resources.limits.memory);
  const pods = await release.eventually("two Ready webhook pods", 120_000, async () => {
    const ready = await release.readyWebhookPods();
    return ready.length === 2 ? ready : undefined;
  });
  const ca = await caBundle();
  const port = pods[0]!.spec.containers[0].ports[0].containerPort as number;
  const pids = new Map<string, number>();
  for (const pod of pods) {
    const c = pod.spec.containers[0];
    assert.equal(c.resources.limits.memory, values.resources.limits.memory);
    const pid = await containerPid(release.cluster, containerId(pod)!);
    assert.equal(
      cgroupMemory(pid).limitMiB,
      limitMi,
      "the container's cgroup has the chart's limit",
    );
    pids.set(pod.metadata.name, pid);
  }

  const callsBefore = await webhookCalls();
  const loaded = pods[0]!;
  // autocannon returns a thenable without finally()
  const reviewed = Promise.resolve(reviews(loaded.status.podIP, port, ca));
  const [burst, load] = await Promise.all([podBurst(reviewed), reviewed]);
  t.diagnostic(
    `the API server's calls to vaultlet webhooks during the load, cumulative by latency: ${callsDuring(callsBefore, await webhookCalls())}`,
  );
  const created = burst.results;
  const sorted = [...burst.ms].sort((a, b) => a - b);
  t.diagnostic(
    `burst: ${created.length} pods created, kubectl create p50 ${sorted[sorted.length >> 1]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
  );
  const l = load.latency;
  t.diagnostic(
    `${loaded.metadata.name} under load: ${load.requests.average} reviews/s, latency p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`,
  );

  const afterLoad = await release.webhookPods();
  for (const pod of afterLoad) {
    const status = pod.status.containerStatuses[0];
    assert.equal(
      status.restartCount,
      0,
      `${pod.metadata.name} restarted: ${JSON.stringify(status.lastState)}\n${await release.diagnostics()}`,
    );
  }
  const name = loaded.metadata.name;
  const counts = { errors: load.errors, timeouts: load.timeouts, non2xx: load.non2xx };
  assert.equal(
    load["2xx"],
    REVIEWS,
    `${name}: ${load["2xx"]} of ${REVIEWS} reviews answered 200 (${JSON.stringify(counts)})`,
  );
  assert.equal(load.errors + load.timeouts, 0, `${name}: ${JSON.stringify(counts)}`);
  assert.equal(load.mismatches, 0, `${name}: answers without a patch`);
  for (const pod of created) {
    assert.ok(!(pod instanceof Error), `a pod of the burst was refused: ${String(pod)}`);
    assert.ok(agentOf(pod), `${pod.metadata.name} was admitted without its agent`);
  }
  assert.deepEqual(
    afterLoad.map((p) => p.metadata.name).sort(),
    pods.map((p) => p.metadata.name).sort(),
    "the same webhook pods are running",
  );
  for (const pod of afterLoad) {
    const status = pod.status.containerStatuses[0];
    assert.ok(
      status.state.running,
      `${pod.metadata.name} is not running: ${JSON.stringify(status.state)}`,
    );
    const memory = cgroupMemory(pids.get(pod.metadata.name)!);
    t.diagnostic(
      `${pod.metadata.name}: cgroup peak ${memory.maxUsageMiB.toFixed(1)} MiB (page cache included), ` +
        `working set now ${memory.workingSetMiB.toFixed(1)} MiB, limit ${memory.limitMiB} MiB`,
    );
  }
});
