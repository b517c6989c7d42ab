/**
 * Fail-closed when the webhook dies mid-burst: annotated pods are created
 * through the API server without pause while every webhook pod is killed,
 * first its process (SIGKILL through containerd: the container restarts in
 * place), then the pods themselves (force-deleted: the Deployment makes new
 * ones). Every creation the webhook could not answer is refused with the
 * API server's message naming the webhook; every pod that was admitted
 * carries its agent.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { testCluster } from "../support/cluster/client.ts";
import { ensureVaultletImage } from "../support/cluster/vaultlet-images.ts";
import {
  agentOf,
  containerId,
  createPod,
  installWebhook,
  killContainer,
  unscheduledAnnotatedPod,
  type Obj,
  type WebhookRelease,
} from "./webhook-release.ts";

const WORKERS = 4;
/** admissions to see after the webhook is back, before the next fault */
const ADMITTED_AFTER_RECOVERY = 5;
const RECOVERY_MS = 180_000;

let release: WebhookRelease;

before(async () => {
  const cluster = testCluster();
  await ensureVaultletImage(cluster, "webhook");
  release = await installWebhook(cluster, "whkill", "vaultlet-test/webhook-kill");
});

after(async () => {
  await release?.uninstall();
});

interface Outcome {
  readonly name: string;
  readonly at: number;
  readonly pod?: Obj;
  readonly error?: Error;
}

/** Creates annotated pods, WORKERS at a time, until stopped; every outcome in order of answer. */
function startBurst() {
  const outcomes: Outcome[] = [];
  let stopped = false;
  let next = 0;
  const worker = async () => {
    while (!stopped) {
      const name = `kill-${next++}`;
      const result = await createPod(release.cluster, unscheduledAnnotatedPod(name), release.apps);
      outcomes.push(
        result instanceof Error
          ? { name, at: Date.now(), error: result }
          : { name, at: Date.now(), pod: result },
      );
    }
  };
  const running = Promise.all(Array.from({ length: WORKERS }, worker));
  return {
    outcomes,
    /** creations answered after `t` without the webhook: refused, or admitted without an agent */
    unservedSince: (t: number) =>
      outcomes.filter((o) => o.at > t && (o.error || (o.pod && !agentOf(o.pod)))).length,
    admittedSince: (t: number) =>
      outcomes.filter((o) => o.pod && agentOf(o.pod) && o.at > t).length,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

type Burst = ReturnType<typeof startBurst>;

/**
 * After a fault at `since`: a creation that met the dead webhook, both
 * webhook pods Ready, then admissions again.
 */
async function waitForRecovery(burst: Burst, since: number, fault: string): Promise<void> {
  await release.eventually(
    `a creation answered without the webhook after ${fault}`,
    RECOVERY_MS,
    async () => (burst.unservedSince(since) > 0 ? true : undefined),
  );
  await release.eventually(`two Ready webhook pods after ${fault}`, RECOVERY_MS, async () =>
    (await release.readyWebhookPods()).length === 2 ? true : undefined,
  );
  const back = Date.now();
  await release.eventually(
    `${ADMITTED_AFTER_RECOVERY} pods admitted once the webhook was back after ${fault}`,
    RECOVERY_MS,
    async () => (burst.admittedSince(back) >= ADMITTED_AFTER_RECOVERY ? true : undefined),
  );
}

test("when the webhook pods are killed during a burst of pod creations, no annotated pod is admitted without its agent", async (t) => {
  await release.eventually("two Ready webhook pods", 120_000, async () =>
    (await release.readyWebhookPods()).length === 2 ? true : undefined,
  );
  const burst = startBurst();
  try {
    await release.eventually("the burst's first admissions", RECOVERY_MS, async () =>
      burst.admittedSince(0) >= ADMITTED_AFTER_RECOVERY ? true : undefined,
    );
    const killedAt = Date.now();
    for (const pod of await release.webhookPods()) {
      await killContainer(release.cluster, containerId(pod)!);
    }
    await waitForRecovery(burst, killedAt, "SIGKILL of every webhook process");

    const deletedAt = Date.now();
    await release.cluster.kubectl([
      ...["delete", "pods", "-n", release.ns, "-l", "app.kubernetes.io/component=webhook"],
      ...["--grace-period=0", "--force", "--wait=false"],
    ]);
    await waitForRecovery(burst, deletedAt, "force-deleting every webhook pod");
  } finally {
    await burst.stop();
  }

  for (const o of burst.outcomes.filter((x) => x.error)) {
    assert.match(
      o.error!.message,
      /failed calling webhook "inject\.vaultlet\.io"/,
      `${o.name} was refused for another reason`,
    );
  }
  const admitted = await release.cluster.getJson<{ items: Obj[] }>([
    ...["get", "pods", "-n", release.apps],
  ]);
  assert.ok(admitted.items.length >= 3 * ADMITTED_AFTER_RECOVERY, "pods were admitted");
  const bare = admitted.items.filter(
    (p) =>
      !agentOf(p) ||
      p.metadata.annotations?.["vault.hashicorp.com/agent-inject-status"] !== "injected",
  );
  assert.deepEqual(
    bare.map((p) => p.metadata.name),
    [],
    "annotated pods admitted without their agent",
  );
  const refused = burst.outcomes.filter((o) => o.error).length;
  t.diagnostic(
    `${burst.outcomes.length} creations: ${admitted.items.length} pods admitted, each with its agent; ${refused} refused`,
  );
  assert.ok(refused > 0, "no creation met a dead webhook: the faults missed the burst");
});
