/**
 * The webhook under load in real pods, with the chart's own memory limit: a
 * burst of pod creations through the API server and, while it lasts,
 * 10,000 AdmissionReviews on 50 connections to each webhook pod in turn (the
 * benchmark's review: 4 containers, 10 annotations, TLS), so one pod is
 * saturated while the other admits the burst. Both pods keep running: no
 * restart, no OOM kill, every review answered with its patch, every pod of
 * the burst admitted with its agent.
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
async function podBurst(done: Promise<unknown>): Promise<(Obj | Error)[]> {
  const results: (Obj | Error)[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  let next = 0;
  const worker = async () => {
    while (!finished || next < POD_BURST) {
      const name = `burst-${next++}`;
      results.push(await createPod(release.cluster, unscheduledAnnotatedPod(name), release.apps));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return results;
}

function reviews(podIp: string, port: number, ca: string) {
  return autocannon({
    url: `https://${podIp}:${port}/mutate`,
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

test("with the chart's memory limit, a burst of pod creations plus 10,000 reviews on 50 connections to each webhook pod leave every webhook pod running with restart count 0", async (t) => {
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

  // one webhook pod at a time takes the reviews, while the other keeps admitting the burst
  const reviewed = (async () => {
    const results = [];
    for (const p of pods) results.push(await reviews(p.status.podIP, port, ca));
    return results;
  })();
  const [created, loads] = await Promise.all([podBurst(reviewed), reviewed]);

  const afterLoad = await release.webhookPods();
  for (const pod of afterLoad) {
    const status = pod.status.containerStatuses[0];
    assert.equal(
      status.restartCount,
      0,
      `${pod.metadata.name} restarted: ${JSON.stringify(status.lastState)}\n${await release.diagnostics()}`,
    );
  }
  for (const [i, load] of loads.entries()) {
    const name = pods[i]!.metadata.name;
    const counts = { errors: load.errors, timeouts: load.timeouts, non2xx: load.non2xx };
    assert.equal(
      load["2xx"],
      REVIEWS,
      `${name}: ${load["2xx"]} of ${REVIEWS} reviews answered 200 (${JSON.stringify(counts)})`,
    );
    assert.equal(load.errors + load.timeouts, 0, `${name}: ${JSON.stringify(counts)}`);
    assert.equal(load.mismatches, 0, `${name}: answers without a patch`);
  }
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
