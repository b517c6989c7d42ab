/**
 * vaultlet's agent against `bao agent` in real pods (not a test): the built
 * images, the real cluster, the same pod shape (test/bench/agent-pods-spec.ts),
 * one OpenBao on the host reached through a relay on the cluster's bridge.
 *
 *   node test/bench/agent-pods.ts [--interval=5s] [--rest=60] [--rotation=60]
 *                                 [--fleet=100] [--fleet-rest=120] [--no-fleet]
 *                                 [--markdown=FILE] [--json=FILE]
 *
 * The markdown goes to test/bench/results/agent-pods.md unless --markdown
 * names another file; `npm run bench` puts that file into BENCHMARKS.md.
 *
 * Needs: `source test/scripts/setup.sh`; the images, with the benchmark-only
 * bao image (`node deploy/images/build-images.ts --bench`); a cluster
 * (`node test/support/cluster/cli.ts up` and the exports `cli.ts env` prints).
 *
 * 1. One pod of each side by side: each agent container's working set and
 *    anonymous memory (medians of samples every 5 s) and its CPU seconds
 *    (cpuacct), from the container's cgroup v1, over `--rest` seconds at rest,
 *    then over `--rotation` seconds while the secret changes every second
 *    (every re-read renders a new file); OpenBao's audit log counts each
 *    side's requests.
 * 2. The fleet: `--fleet` pods of each, side by side when the node's
 *    maxPods allows (the harness sets 250), else one fleet after the other:
 *    total memory and CPU of the agent containers over `--fleet-rest`
 *    seconds at rest, and Vault requests per minute.
 */
import { createPublicKey, type JsonWebKey } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_BAO, BENCH_BAO_VERSION, imageName } from "../../deploy/images/layout.ts";
import { testCluster, type TestCluster } from "../support/cluster/client.ts";
import { imageNames } from "../support/cluster/images.ts";
import { startRelay, type Relay } from "../support/cluster/relay.ts";
import { ensureVaultletImage } from "../support/cluster/vaultlet-images.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import {
  authMount,
  baoConfigMap,
  injectedPod,
  KINDS,
  podOf,
  policyName,
  SECRET_PATH,
  SERVICE_ACCOUNT,
  type AgentKind,
} from "./agent-pods-spec.ts";
import { findContainerCgroup, readContainerUsage, type ContainerUsage } from "./pod-cgroups.ts";
import { commitOf, median, RESULTS_DIR } from "./proc-stats.ts";
import { formatPodsBench, type KindFigures, type PodsBenchResult } from "./agent-pods-report.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SAMPLE_MS = 5000;
const BATCH = 20;
/** fleet pods of each kind started before waiting for them */
const STEP = 10;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface PodRef {
  kind: AgentKind;
  name: string;
  uid: string;
  cgroup: string;
  restarts: number;
}

interface Bench {
  cluster: TestCluster;
  ns: string;
  bao: OpenBaoServer;
  relay: Relay;
  injected: Obj;
  images: Record<AgentKind, string>;
  loads: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stderr.write(`[agent-pods] ${line}\n`);

async function ensureBaoImage(cluster: TestCluster): Promise<string> {
  const name = imageName(BENCH_BAO, BENCH_BAO_VERSION);
  if (imageNames(cluster.layout).includes(name)) return name;
  const archive = join(ROOT, "dist/images", BENCH_BAO.archive);
  if (!existsSync(archive)) {
    throw new Error(
      `${archive} is missing: run \`node deploy/images/build-images.ts --bench\` after \`source test/scripts/setup.sh\``,
    );
  }
  await cluster.loadImages([{ archive, name }]);
  return name;
}

/** jwt auth on one mount per side, verifying the cluster's service-account tokens; one secret. */
async function setUpVault(cluster: TestCluster, ns: string): Promise<OpenBaoServer> {
  const bao = await startOpenBao({ audit: true, autoTeardown: false });
  const jwks = JSON.parse(await cluster.kubectl(["get", "--raw", "/openid/v1/jwks"])) as {
    keys: JsonWebKey[];
  };
  const { issuer } = JSON.parse(
    await cluster.kubectl(["get", "--raw", "/.well-known/openid-configuration"]),
  ) as { issuer: string };
  const keys = jwks.keys.map((k) =>
    createPublicKey({ key: k, format: "jwk" }).export({ type: "spki", format: "pem" }),
  );
  for (const kind of KINDS) {
    await bao.api("POST", `sys/auth/${authMount(kind)}`, { type: "jwt" });
    await bao.api("POST", `auth/${authMount(kind)}/config`, {
      jwt_validation_pubkeys: keys,
      bound_issuer: issuer,
    });
    await bao.api("POST", `sys/policies/acl/${policyName(kind)}`, {
      policy: `path "${SECRET_PATH}" { capabilities = ["read"] }`,
    });
    await bao.api("POST", `auth/${authMount(kind)}/role/bench`, {
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: ["vault"],
      bound_subject: `system:serviceaccount:${ns}:${SERVICE_ACCOUNT}`,
      token_policies: [policyName(kind)],
      token_ttl: "1h",
    });
  }
  await bao.kvPut("secret", "bench", { password: "initial" });
  return bao;
}

async function createPods(b: Bench, kind: AgentKind, names: readonly string[]): Promise<void> {
  for (let i = 0; i < names.length; i += BATCH) {
    const items = names.slice(i, i + BATCH).map((n) => podOf(kind, b.injected, n, b.images[kind]));
    await b.cluster.apply({ apiVersion: "v1", kind: "List", items }, b.ns);
  }
}

function agentStatus(pod: Obj): Obj | undefined {
  return (pod.status?.containerStatuses as Obj[] | undefined)?.find(
    (c) => c.name === "vault-agent",
  );
}

/** Waits until every named pod's agent sidecar runs; its cgroup found. Fails on a failed pod. */
async function waitRunning(
  b: Bench,
  names: ReadonlySet<string>,
  timeoutMs: number,
): Promise<PodRef[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await b.cluster.getJson<{ items: Obj[] }>(["get", "pods", "-n", b.ns]);
    const pods = list.items.filter((p) => names.has(p.metadata.name));
    const failed = pods.find((p) => p.status?.phase === "Failed");
    if (failed) {
      throw new Error(`pod ${failed.metadata.name} failed:\n${await diag(b, failed)}`);
    }
    const running = pods.filter(
      (p) => agentStatus(p)?.state?.running && p.status.phase === "Running",
    );
    if (running.length === names.size) return running.map(podRef);
    if (Date.now() > deadline) {
      const late = pods.find((p) => !running.includes(p)) ?? { metadata: { name: "?" } };
      throw new Error(
        `${running.length}/${names.size} pods running after ${timeoutMs / 1000} s; first late one:\n${await diag(b, late)}`,
      );
    }
    // listing 200 pods as JSON costs kubectl a third of a core: not too often
    await sleep(5000);
  }
}

function diag(b: Bench, pod: Obj): Promise<string> {
  return b.cluster.podDiagnostics(b.ns, pod.metadata.name as string);
}

function podRef(pod: Obj): PodRef {
  const agent = agentStatus(pod)!;
  return {
    kind: pod.metadata.labels.bench as AgentKind,
    name: pod.metadata.name as string,
    uid: pod.metadata.uid as string,
    cgroup: findContainerCgroup(agent.containerID as string),
    restarts: agent.restartCount as number,
  };
}

interface WindowSample {
  start: Date;
  end: Date;
  cpuSeconds: Map<string, number>;
  workingSetMiB: Map<string, number>;
  anonMiB: Map<string, number>;
}

/** Reads every pod's agent cgroup every 5 s over `seconds`; `during` runs alongside. */
async function measureWindow(
  b: Bench,
  refs: readonly PodRef[],
  seconds: number,
  during?: (stop: () => boolean) => Promise<void>,
): Promise<WindowSample> {
  const read = () => new Map(refs.map((r) => [r.name, readContainerUsage(r.cgroup)]));
  const samples: Map<string, ContainerUsage>[] = [];
  const start = new Date();
  const first = read();
  let stopped = false;
  const side = during?.(() => stopped);
  const endAt = Date.now() + seconds * 1000;
  while (Date.now() < endAt) {
    await sleep(Math.min(SAMPLE_MS, endAt - Date.now()));
    samples.push(read());
    b.loads.push(loadavg()[0]!);
  }
  stopped = true;
  await side;
  const last = samples.at(-1)!;
  const per = (pick: (u: ContainerUsage) => number) =>
    new Map(refs.map((r) => [r.name, median(samples.map((s) => pick(s.get(r.name)!)))]));
  return {
    start,
    end: new Date(),
    cpuSeconds: new Map(
      refs.map((r) => [r.name, last.get(r.name)!.cpuSeconds - first.get(r.name)!.cpuSeconds]),
    ),
    workingSetMiB: per((u) => u.workingSetMiB),
    anonMiB: per((u) => u.anonMiB),
  };
}

/** Requests each side made in the window by "operation path", from the audit log (root-token set-up calls left out). */
function requestsIn(bao: OpenBaoServer, kind: AgentKind, w: WindowSample): Record<string, number> {
  const login = `auth/${authMount(kind)}/`;
  const counts: Record<string, number> = {};
  for (const r of bao.auditRequests({ excludeRoot: true })) {
    const t = new Date(r.time).getTime();
    if (t < w.start.getTime() || t >= w.end.getTime()) continue;
    if (!r.policies.includes(policyName(kind)) && !r.path.startsWith(login)) continue;
    const key = `${r.operation} ${r.path}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function figures(b: Bench, refs: readonly PodRef[], w: WindowSample, kind: AgentKind): KindFigures {
  const mine = refs.filter((r) => r.kind === kind);
  const sum = (m: Map<string, number>) => mine.reduce((n, r) => n + m.get(r.name)!, 0);
  const minutes = (w.end.getTime() - w.start.getTime()) / 60_000;
  const requests = requestsIn(b.bao, kind, w);
  const total = Object.values(requests).reduce((n, c) => n + c, 0);
  return {
    pods: mine.length,
    workingSetMiB: sum(w.workingSetMiB),
    anonMiB: sum(w.anonMiB),
    cpuSecondsPerMinute: sum(w.cpuSeconds) / minutes,
    requestsPerMinute: total / minutes,
    requestsByPath: requests,
  };
}

/** The value each pod's agent last rendered, read from its memory-backed volume on the host. */
function rendered(b: Bench, ref: PodRef): string {
  const file = join(
    b.cluster.layout.kubeletRoot,
    "pods",
    ref.uid,
    "volumes/kubernetes.io~empty-dir/vault-secrets/bench",
  );
  return existsSync(file) ? readFileSync(file, "utf8") : "(nothing rendered)";
}

async function rotate(b: Bench, stop: () => boolean): Promise<string> {
  let value = "";
  for (let i = 1; !stop(); i++) {
    value = `rotated-${i}`;
    await b.bao.kvPut("secret", "bench", { password: value });
    await sleep(1000);
  }
  return value;
}

/** Every pod renders `value` within two intervals, or the side that did not is named. */
async function renderedLast(
  b: Bench,
  refs: readonly PodRef[],
  value: string,
  waitMs: number,
): Promise<Record<AgentKind, boolean>> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && refs.some((r) => rendered(b, r) !== value)) await sleep(500);
  const ok = (kind: AgentKind) =>
    refs.filter((r) => r.kind === kind).every((r) => rendered(b, r) === value);
  return { vaultlet: ok("vaultlet"), bao: ok("bao") };
}

async function pairPhase(
  b: Bench,
  opts: Options,
): Promise<{ refs: PodRef[]; result: PodsBenchResult["pair"] }> {
  for (const kind of KINDS) await createPods(b, kind, [`${kind}-0`]);
  const refs = await waitRunning(b, new Set(KINDS.map((k) => `${k}-0`)), 180_000);
  say("pair running; settling 15 s");
  await sleep(15_000);
  say(`pair at rest, ${opts.rest} s`);
  const rest = await measureWindow(b, refs, opts.rest);
  say(`pair during rotation, ${opts.rotation} s`);
  let last = "";
  const rotation = await measureWindow(b, refs, opts.rotation, async (stop) => {
    last = await rotate(b, stop);
  });
  const both = <T>(f: (k: AgentKind) => T) => ({ vaultlet: f("vaultlet"), bao: f("bao") });
  return {
    refs,
    result: {
      rest: both((k) => figures(b, refs, rest, k)),
      rotation: both((k) => figures(b, refs, rotation, k)),
      renderedLast: await renderedLast(b, refs, last, 3 * opts.intervalMs),
      restSeconds: opts.rest,
      rotationSeconds: opts.rotation,
    },
  };
}

async function nodeMaxPods(cluster: TestCluster): Promise<number> {
  const nodes = await cluster.getJson<{ items: Obj[] }>(["get", "nodes"]);
  return Number(nodes.items[0]?.status?.allocatable?.pods ?? 110);
}

/**
 * Starts the fleet a step at a time (STEP pods of each kind, then waits for
 * them): 200 pods at once left this 2-core node at a load average near 300,
 * with containers failing to start on containerd's deadlines.
 */
async function fleetOf(b: Bench, kinds: readonly AgentKind[], n: number): Promise<PodRef[]> {
  const started = Date.now();
  const refs: PodRef[] = [];
  for (let from = 0; from < n; from += STEP) {
    const step = new Set<string>();
    for (const kind of kinds) {
      const names = Array.from(
        { length: Math.min(STEP, n - from) },
        (_, i) => `${kind}-${from + i}`,
      );
      await createPods(b, kind, from === 0 ? names.slice(1) : names);
      for (const name of names) step.add(name);
    }
    refs.push(...(await waitRunning(b, step, 10 * 60_000)));
    say(`${refs.length} pods running after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return refs;
}

async function fleetPhase(b: Bench, opts: Options): Promise<PodsBenchResult["fleet"]> {
  const others = (await b.cluster.getJson<{ items: Obj[] }>(["get", "pods", "-A"])).items.length;
  const together = (await nodeMaxPods(b.cluster)) >= others + 2 * opts.fleet;
  const rounds: AgentKind[][] = together ? [[...KINDS]] : KINDS.map((k) => [k]);
  const out: Partial<Record<AgentKind, KindFigures>> = {};
  const restarts: Partial<Record<AgentKind, number>> = {};
  for (const kinds of rounds) {
    say(`fleet: ${opts.fleet} pods of ${kinds.join(" and ")}`);
    const refs = await fleetOf(b, kinds, opts.fleet);
    say(`fleet settling 30 s, then ${opts.fleetRest} s at rest`);
    await sleep(30_000);
    const w = await measureWindow(b, refs, opts.fleetRest);
    const after = await waitRunning(b, new Set(refs.map((r) => r.name)), 60_000);
    for (const kind of kinds) {
      out[kind] = figures(b, refs, w, kind);
      restarts[kind] = after.filter((r) => r.kind === kind).reduce((n, r) => n + r.restarts, 0);
    }
    if (!together) {
      await b.cluster.kubectl(["delete", "pods", "-n", b.ns, "-l", `bench=${kinds[0]}`]);
    }
  }
  return {
    mode: together ? "together" : "one after the other",
    seconds: opts.fleetRest,
    figures: { vaultlet: out.vaultlet!, bao: out.bao! },
    restarts: { vaultlet: restarts.vaultlet!, bao: restarts.bao! },
  };
}

interface Options {
  interval: string;
  intervalMs: number;
  rest: number;
  rotation: number;
  fleet: number;
  fleetRest: number;
  noFleet: boolean;
}

function options(): { opts: Options; json?: string; markdown?: string } {
  const { values } = parseArgs({
    options: {
      interval: { type: "string", default: "5s" },
      rest: { type: "string", default: "60" },
      rotation: { type: "string", default: "60" },
      fleet: { type: "string", default: "100" },
      "fleet-rest": { type: "string", default: "120" },
      "no-fleet": { type: "boolean", default: false },
      json: { type: "string" },
      markdown: { type: "string", default: join(RESULTS_DIR, "agent-pods.md") },
    },
  });
  const seconds = /^(\d+)s$/.exec(values.interval);
  if (!seconds) throw new Error(`--interval=${values.interval}: give whole seconds, e.g. 5s`);
  const opts: Options = {
    interval: values.interval,
    intervalMs: Number(seconds[1]) * 1000,
    rest: Number(values.rest),
    rotation: Number(values.rotation),
    fleet: Number(values.fleet),
    fleetRest: Number(values["fleet-rest"]),
    noFleet: values["no-fleet"],
  };
  return { opts, json: values.json, markdown: values.markdown };
}

async function setUp(opts: Options): Promise<Bench> {
  const cluster = testCluster();
  const images = {
    vaultlet: await ensureVaultletImage(cluster, "agent"),
    bao: await ensureBaoImage(cluster),
  };
  const ns = await cluster.createNamespace("bench");
  await cluster.kubectl(["create", "serviceaccount", SERVICE_ACCOUNT, "-n", ns]);
  const bao = await setUpVault(cluster, ns);
  const relay = await startRelay(cluster.spec.gateway, {
    host: "127.0.0.1",
    port: Number(new URL(bao.address).port),
  });
  const injected = await injectedPod({ vaultAddress: relay.address, interval: opts.interval });
  await cluster.apply(baoConfigMap(injected), ns);
  return { cluster, ns, bao, relay, injected, images, loads: [] };
}

async function main(): Promise<void> {
  const { opts, json, markdown } = options();
  const command = `node test/bench/agent-pods.ts ${process.argv.slice(2).join(" ")}`.trim();
  const b = await setUp(opts);
  try {
    const loadStart = loadavg()[0]!;
    const { result: pair } = await pairPhase(b, opts);
    const fleet = opts.noFleet ? undefined : await fleetPhase(b, { ...opts });
    const result: PodsBenchResult = {
      date: new Date().toISOString(),
      commit: commitOf(),
      command,
      interval: opts.interval,
      fleetSize: opts.fleet,
      load: {
        start: loadStart,
        end: loadavg()[0]!,
        min: Math.min(...b.loads),
        max: Math.max(...b.loads),
        median: median(b.loads),
      },
      pair,
      ...(fleet ? { fleet } : {}),
    };
    const text = formatPodsBench(result);
    console.log(text);
    if (markdown) writeFileSync(markdown, text + "\n");
    if (json) writeFileSync(json, JSON.stringify(result, null, 2));
  } finally {
    await b.relay.stop();
    await b.bao.stop();
    await b.cluster.kubectl(["delete", "namespace", b.ns, "--wait=false"]).catch(() => "");
  }
}

await main();
