/**
 * The demo's Kubernetes side: the chart installed with helm, the checkout
 * example applied with kubectl, and what a user would look at afterwards
 * (`kubectl get pods`, `kubectl logs`, `kubectl exec`), all against the real
 * cluster of test/support/cluster.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { NODE_BIN } from "../../deploy/images/layout.ts";
import type { TestCluster } from "../support/cluster/client.ts";
import { waitUntil } from "../support/processes.ts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = resolve(import.meta.dirname, "../..");
const CHART = join(ROOT, "deploy/chart/vaultlet");
export const CHECKOUT_YAML = join(ROOT, "deploy/examples/kubernetes/checkout.yaml");
export const WEBHOOK_NS = "vaultlet";
export const APP_NS = "shop";
export const RELEASE = "vaultlet";
/** the namespaces the demo's webhook acts on carry it, so it never meets another's pods */
const SELECT = "vaultlet.io/demo";
const run = promisify(execFile);

export interface AppLine {
  event: "start" | "SIGHUP";
  hups: number;
  uid: number;
  files: { file: string; sha?: string; mode?: string; error?: string }[];
}

export async function helm(cluster: TestCluster, args: string[]): Promise<string> {
  const bin = process.env.HELM_BIN;
  if (!bin) throw new Error("HELM_BIN is not set: run the demo with `npm run demo`");
  try {
    return (await run(bin, [...args, "--kubeconfig", cluster.kubeconfig])).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`helm ${args[0]}: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

/** Namespaces left by an interrupted run are deleted, and waited for, before this one. */
export async function clearLeftovers(cluster: TestCluster): Promise<string[]> {
  const names = [APP_NS, WEBHOOK_NS];
  const found = await cluster.kubectl([
    "get",
    "namespace",
    ...names,
    "--ignore-not-found",
    "-o",
    "name",
  ]);
  const left = names.filter((ns) => found.includes(`namespace/${ns}`));
  if (left.includes(WEBHOOK_NS)) {
    await helm(cluster, ["uninstall", RELEASE, "-n", WEBHOOK_NS]).catch(() => "");
  }
  if (left.length > 0) {
    await cluster.kubectl(["delete", "namespace", ...left, "--wait=true", "--timeout=120s"]);
  }
  return left;
}

/** `helm install` of the chart, acting only on namespaces labelled for the demo. */
export async function installChart(cluster: TestCluster, vaultAddress: string): Promise<void> {
  await cluster.kubectl(["create", "namespace", WEBHOOK_NS]);
  await helm(cluster, [
    ...["install", RELEASE, CHART, "-n", WEBHOOK_NS, "--wait", "--timeout", "180s"],
    ...["--set", `vault.address=${vaultAddress}`],
    ...[
      "--set-json",
      `webhook.namespaceSelectorExpressions=[{"key":"${SELECT}","operator":"In","values":["checkout"]}]`,
    ],
  ]);
}

/** The leader Lease's holder and the number of CA certificates in the caBundle. */
export async function webhookState(
  cluster: TestCluster,
): Promise<{ holder: string; cas: number; secret: string[] }> {
  const lease = await cluster.getJson<Obj>([
    "get",
    "lease",
    "vaultlet-webhook-leader",
    "-n",
    "vaultlet",
  ]);
  const mwc = await cluster.getJson<Obj>(["get", "mutatingwebhookconfiguration", RELEASE]);
  const bundle = Buffer.from(mwc.webhooks[0].clientConfig.caBundle ?? "", "base64").toString();
  const secret = await cluster.getJson<Obj>([
    "get",
    "secret",
    "vaultlet-webhook-certs",
    "-n",
    "vaultlet",
  ]);
  return {
    holder: lease.spec.holderIdentity,
    cas: bundle.split("BEGIN CERTIFICATE").length - 1,
    secret: Object.keys(secret.data ?? {}).sort(),
  };
}

/**
 * The example as shipped, but: the app image is the demo's checkout app, and
 * the KV secret is re-read every `renderInterval` instead of every minute.
 */
export function checkoutManifest(appImage: string, renderInterval: string): string {
  const docs = parseAllDocuments(readFileSync(CHECKOUT_YAML, "utf8")).map((d) => d.toJS() as Obj);
  const namespace = docs.find((d) => d.kind === "Namespace")!;
  namespace.metadata.labels = { ...namespace.metadata.labels, [SELECT]: "checkout" };
  const template = docs.find((d) => d.kind === "Deployment")!.spec.template;
  template.metadata.annotations["vault.hashicorp.com/template-static-secret-render-interval"] =
    renderInterval;
  const app = template.spec.containers[0];
  app.image = appImage;
  app.imagePullPolicy = "Never";
  return docs.map((d) => stringify(d)).join("---\n");
}

/** The Deployment's pod template as a Pod: what the webhook received, before its patch. */
export function templatePod(): Obj {
  const docs = parseAllDocuments(readFileSync(CHECKOUT_YAML, "utf8")).map((d) => d.toJS() as Obj);
  const template = docs.find((d) => d.kind === "Deployment")!.spec.template;
  return { metadata: template.metadata, spec: template.spec };
}

export async function checkoutPods(cluster: TestCluster): Promise<Obj[]> {
  const list = await cluster.getJson<{ items: Obj[] }>([
    ...["get", "pods", "-n", APP_NS, "-l", "app=checkout"],
  ]);
  return list.items
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => String(a.metadata.name).localeCompare(b.metadata.name));
}

export async function appLines(cluster: TestCluster, pod: string): Promise<AppLine[]> {
  const text = await cluster.kubectl(["logs", "-n", APP_NS, pod, "-c", "checkout"]);
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as AppLine);
}

/**
 * A rendered file, read in the app container. Its image has no shell: node
 * reads it, started by its own name, not as "checkout", so that the agent's
 * SIGHUP for the app never reaches it.
 */
export function readInPod(cluster: TestCluster, pod: string, file: string): Promise<string> {
  const script = `process.stdout.write(require("fs").readFileSync(${JSON.stringify(file)}))`;
  return cluster.kubectl([
    ...["exec", "-n", APP_NS, pod, "-c", "checkout", "--"],
    ...[NODE_BIN, "-e", script],
  ]);
}

/** Waits for an app log line that `match` accepts; returns it. */
export function waitForAppLine(
  cluster: TestCluster,
  pod: string,
  what: string,
  match: (line: AppLine, index: number) => boolean,
  timeoutMs: number,
): Promise<AppLine> {
  return waitUntil(what, async () => (await appLines(cluster, pod)).find(match), timeoutMs, 1000);
}
