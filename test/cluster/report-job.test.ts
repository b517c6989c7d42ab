/**
 * The report CronJob (deploy/examples/kubernetes/report-job.yaml) in real
 * pods: a Job made from it with `kubectl create job --from=cronjob/report`
 * completes, because its agent runs as a native sidecar that the kubelet
 * stops when the report exits; the agent logs in with kubernetes auth through
 * the cluster's real TokenReview. Then the pre-populate-only init mode: the
 * agent renders once as an init container and is gone before the app starts.
 *
 * The test's copy of the example: its own namespace (the role's bound
 * namespace follows it), the test app image in one-shot mode
 * (test/cluster/app/checkout.mjs --once: exits 0 once it has read its files),
 * and OpenBao reached through a relay on the bridge address, as in
 * checkout.test.ts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { ensureCheckoutAppImage } from "../support/cluster/app-image.ts";
import type { TestCluster } from "../support/cluster/client.ts";
import { testCluster } from "../support/cluster/client.ts";
import { componentLog } from "../support/cluster/layout.ts";
import { startRelay, type Relay } from "../support/cluster/relay.ts";
import { ensureVaultletImage } from "../support/cluster/vaultlet-images.ts";
import { runExampleVaultScripts } from "../deploy/example-vault.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import {
  rebindRole,
  trustClusterTokenReview,
  type TokenReviewTrust,
} from "../support/cluster/vault-trust.ts";
import { vaultletInject } from "../support/cluster/inject.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "deploy/examples");

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let cluster: TestCluster;
let ns: string;
let bao: OpenBaoServer;
let relay: Relay;
let appImage: string;
let review: TokenReviewTrust | undefined;

async function setUpVault(): Promise<void> {
  bao = await startOpenBao();
  await runExampleVaultScripts(bao);
  // trust.sh's kubernetes part (its other mounts need the internet)
  review = await trustClusterTokenReview(bao, cluster, { namespace: ns });
  await rebindRole(bao, "kubernetes", "report", { bound_service_account_namespaces: [ns] });
  await bao.kvPut("secret", "batch/report", { bucket: "reports", region: "eu" });
}

async function inject(manifest: string): Promise<string> {
  return (await vaultletInject(manifest, `http://${relay.address}`)).stdout;
}

/** The example's objects in the test's namespace, the report run by the test app once. */
function reportCopy(): Obj[] {
  const docs = parseAllDocuments(
    readFileSync(join(EXAMPLES, "kubernetes/report-job.yaml"), "utf8"),
  ).map((d) => d.toJS() as Obj);
  for (const d of docs) d.metadata.namespace = ns;
  const cron = docs.find((d) => d.kind === "CronJob")!;
  const report = cron.spec.jobTemplate.spec.template.spec.containers[0];
  report.image = appImage;
  report.imagePullPolicy = "Never";
  report.args = [...report.args, "--once"];
  return docs;
}

async function jobDiagnostics(job: string): Promise<string> {
  const pods = await cluster
    .getJson<{ items: Obj[] }>(["get", "pods", "-n", ns, "-l", `job-name=${job}`])
    .catch(() => ({ items: [] as Obj[] }));
  const each = await Promise.all(
    pods.items.map((p) => cluster.podDiagnostics(ns, p.metadata.name)),
  );
  return [
    ...each,
    `kube-controller-manager log: ${componentLog(cluster.layout, "kube-controller-manager")}`,
  ].join("\n");
}

async function waitComplete(job: string): Promise<void> {
  await cluster
    .kubectl(["wait", `job/${job}`, "-n", ns, "--for=condition=Complete", "--timeout=180s"])
    .catch(async (err: Error) =>
      assert.fail(`job ${job} did not complete: ${err.message}\n${await jobDiagnostics(job)}`),
    );
}

async function reportLine(job: string): Promise<Obj> {
  const text = await cluster.kubectl(["logs", "-n", ns, `job/${job}`, "-c", "report"]);
  const line = text.split("\n").find((l) => l.startsWith("{"));
  assert.ok(line, `job ${job}: the report logged nothing\n${await jobDiagnostics(job)}`);
  return JSON.parse(line) as Obj;
}

before(async () => {
  cluster = testCluster();
  await ensureVaultletImage(cluster, "agent");
  appImage = await ensureCheckoutAppImage(cluster);
  ns = await cluster.createNamespace("batch");
  await setUpVault();
  relay = await startRelay(cluster.spec.gateway, {
    host: "127.0.0.1",
    port: Number(new URL(bao.address).port),
  });
});

after(async () => {
  await relay?.stop();
  await review?.remove();
  await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

test("a Job from the report CronJob completes: the native sidecar renders, the report reads its file, the sidecar is stopped", async () => {
  const manifest = await inject(
    reportCopy()
      .map((d) => stringify(d))
      .join("---\n"),
  );
  await cluster.apply(manifest, ns);
  await cluster.kubectl(["create", "job", "report-now", "--from=cronjob/report", "-n", ns]);
  await waitComplete("report-now");
  const line = await reportLine("report-now");
  const file = line.files[0];
  assert.equal(file.error, undefined, "report.json was not readable");
  assert.equal(line.uid, 10001);
  assert.ok(file.bytes > 0);
  const job = await cluster.getJson<Obj>(["get", "job", "report-now", "-n", ns]);
  assert.equal(job.status.succeeded, 1);
  assert.equal(job.status.failed ?? 0, 0);
});

test("pre-populate-only: the agent renders once as an init container and the app reads the file", async () => {
  const cron = reportCopy().find((d) => d.kind === "CronJob")!;
  const template = cron.spec.jobTemplate.spec.template;
  delete template.metadata.annotations["vault.hashicorp.com/agent-native-sidecar"];
  template.metadata.annotations["vault.hashicorp.com/agent-pre-populate-only"] = "true";
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "report-init", namespace: ns },
    spec: { backoffLimit: 0, template },
  };
  const injected = parseAllDocuments(await inject(stringify(job))).map((d) => d.toJS() as Obj)[0]!;
  const spec = injected.spec.template.spec;
  assert.equal(spec.containers.length, 1, "pre-populate-only adds no sidecar");
  const init = spec.initContainers.find((c: Obj) => c.name === "vault-agent-init");
  assert.ok(init, "no vault-agent-init container");
  assert.equal(init.restartPolicy, undefined);
  await cluster.apply(injected, ns);
  await waitComplete("report-init");
  const line = await reportLine("report-init");
  assert.equal(line.files[0].error, undefined, "report.json was not readable");
});
