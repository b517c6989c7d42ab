/**
 * Bringing the test cluster up and down: etcd, containerd (private root,
 * state and socket), kube-apiserver, kube-controller-manager, kube-scheduler
 * and the kubelet, on the cluster's own bridge address and loopback.
 *
 * The bridge (vltN, 10.N.0.1/16) carries the pod network and is also where
 * the API server listens, on port 443: it is the first address of the service
 * range, so the `kubernetes` Service's ClusterIP is the API server itself and
 * in-cluster clients work without kube-proxy.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { ClusterLayout, ClusterSpec } from "./layout.ts";
import { apiServerUrl, clusterLayout, specForSlot } from "./layout.ts";
import type { ClusterTokens } from "./config.ts";
import * as config from "./config.ts";
import { createPki, newTokens } from "./pki.ts";
import { componentPid, startComponent, stopPids } from "./processes.ts";
import { ClusterError, commandOk, httpGet, waitForComponent } from "./probes.ts";
import type { ImageArchive } from "./images.ts";
import { importImages, removeAllContainers } from "./images.ts";
import {
  deleteBridge,
  describeLeftovers,
  killClusterProcesses,
  leftovers,
  removeContainerCgroups,
  removeContainerLogLinks,
  unmountAll,
} from "./teardown.ts";

export interface UpOptions {
  stateDir: string;
  binDir: string;
  imagesDir: string;
  /** More archives to load before the kubelet starts (e.g. vaultlet's own images). */
  images?: ImageArchive[];
  log?: (line: string) => void;
}

export const PROBE_IMAGE = "vaultlet.local/probe:1";
export const NODE_NAME = "vaultlet-node";

const CONTROL_PLANE = ["kube-scheduler", "kube-controller-manager", "kube-apiserver"];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

/** A 10.N.0.0/16 that no interface of this host uses, N from 200 to 249. */
function pickSlot(stateDir: string): number {
  const used = execFileSync("ip", ["-o", "addr", "show"], { encoding: "utf8" });
  const links = execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" });
  let h = 0;
  for (const c of stateDir) h = (h * 31 + c.charCodeAt(0)) % 50;
  for (let i = 0; i < 50; i++) {
    const n = 200 + ((h + i) % 50);
    if (!used.includes(` 10.${n}.`) && !links.includes(` vlt${n}:`)) return n;
  }
  throw new ClusterError(
    "NO_FREE_NETWORK",
    "no free 10.N.0.0/16 (N 200-249) for the cluster's bridge",
  );
}

function createBridge(spec: ClusterSpec): void {
  execFileSync("ip", ["link", "add", spec.bridge, "type", "bridge"]);
  execFileSync("ip", ["addr", "add", `${spec.gateway}/16`, "dev", spec.bridge]);
  execFileSync("ip", ["link", "set", spec.bridge, "up"]);
}

export function readSpec(layout: ClusterLayout): ClusterSpec | undefined {
  try {
    return JSON.parse(readFileSync(layout.specFile, "utf8")) as ClusterSpec;
  } catch {
    return undefined;
  }
}

function writeFiles(layout: ClusterLayout, spec: ClusterSpec, tokens: ClusterTokens): void {
  const pki = layout.pkiDir;
  const ca = join(pki, "ca.crt");
  writeFileSync(join(pki, "tokens.csv"), config.tokenAuthFile(tokens, spec.nodeName), {
    mode: 0o600,
  });
  const kc = (file: string, user: string, token: string) =>
    writeFileSync(file, config.kubeconfig(spec, ca, user, token), { mode: 0o600 });
  kc(layout.kubeconfig, "admin", tokens.admin);
  kc(join(pki, "controller-manager.kubeconfig"), "kcm", tokens.controllerManager);
  kc(join(pki, "scheduler.kubeconfig"), "scheduler", tokens.scheduler);
  kc(join(pki, "kubelet.kubeconfig"), "kubelet", tokens.kubelet);
  writeFileSync(layout.containerdConfig, config.containerdConfig(layout));
  writeFileSync(join(layout.cniConfDir, "10-vaultlet.conflist"), config.cniConfig(layout, spec));
  writeFileSync(layout.kubeletConfig, config.kubeletConfig(layout, spec));
  writeFileSync(layout.specFile, JSON.stringify(spec, null, 2) + "\n");
  const env = {
    VAULTLET_CLUSTER_DIR: layout.stateDir,
    VAULTLET_KUBECONFIG: layout.kubeconfig,
    VAULTLET_CLUSTER_SERVER: apiServerUrl(spec),
    VAULTLET_CLUSTER_TOKEN: tokens.admin,
  };
  const lines = Object.entries(env).map(([k, v]) => `export ${k}='${v}'`);
  writeFileSync(layout.envFile, lines.join("\n") + "\n", { mode: 0o600 });
}

async function prepare(opts: UpOptions, layout: ClusterLayout): Promise<ClusterSpec> {
  await down(opts.stateDir);
  rmSync(layout.stateDir, { recursive: true, force: true });
  for (const dir of [layout.logsDir, layout.pidsDir, layout.containerdDir, layout.cniConfDir]) {
    mkdirSync(dir, { recursive: true });
  }
  mkdirSync(layout.cniIpamDir, { recursive: true });
  mkdirSync(layout.podLogsDir, { recursive: true });
  const ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiserver: 443,
    controllerManager: await freePort(),
    scheduler: await freePort(),
    kubelet: await freePort(),
    kubeletHealthz: await freePort(),
  };
  const spec = specForSlot(pickSlot(layout.stateDir), NODE_NAME, ports);
  createBridge(spec);
  createPki(layout.pkiDir, spec.gateway);
  writeFiles(layout, spec, newTokens());
  return spec;
}

export function adminToken(layout: ClusterLayout): string {
  const line = readFileSync(join(layout.pkiDir, "tokens.csv"), "utf8").split("\n")[0] ?? "";
  return line.split(",")[0] ?? "";
}

async function startContainerd(layout: ClusterLayout): Promise<void> {
  startComponent(layout, config.containerdCommand(layout));
  await waitForComponent(
    layout,
    "containerd",
    "serving on its socket",
    () => commandOk("ctr", ["--address", layout.containerdSocket, "version"]),
    30_000,
  );
}

/** Loads image archives into a running cluster: pods can use them at once. */
export function loadImages(stateDir: string, images: ImageArchive[]): Promise<void> {
  importImages(clusterLayout(stateDir), images);
  return Promise.resolve();
}

interface ApiAccess {
  api: string;
  ca: Buffer;
  token: string;
}

async function apiOk(access: ApiAccess, path: string): Promise<boolean> {
  return (
    (await httpGet({ url: `${access.api}${path}`, ca: access.ca, token: access.token }))?.status ===
    200
  );
}

async function nodeReady(access: ApiAccess, nodeName: string): Promise<boolean> {
  const { ca, token } = access;
  const res = await httpGet({ url: `${access.api}/api/v1/nodes/${nodeName}`, ca, token });
  if (res?.status !== 200) return false;
  const node = JSON.parse(res.body) as {
    status?: { conditions?: { type: string; status: string }[] };
  };
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** The controller manager, scheduler and kubelet answer /healthz (their own serving certificates). */
function waitHealthy(layout: ClusterLayout, spec: ClusterSpec): Promise<void[]> {
  const healthy = async (url: string) => (await httpGet({ url, insecure: true }))?.status === 200;
  const local = (port: number) => `https://127.0.0.1:${port}/healthz`;
  const checks: [string, string][] = [
    ["kube-controller-manager", local(spec.ports.controllerManager)],
    ["kube-scheduler", local(spec.ports.scheduler)],
    ["kubelet", `http://127.0.0.1:${spec.ports.kubeletHealthz}/healthz`],
  ];
  return Promise.all(
    checks.map(([component, url]) =>
      waitForComponent(layout, component, "healthy", () => healthy(url), 60_000),
    ),
  );
}

async function startControlPlane(layout: ClusterLayout, spec: ClusterSpec, binDir: string) {
  const access: ApiAccess = {
    api: apiServerUrl(spec),
    ca: readFileSync(join(layout.pkiDir, "ca.crt")),
    token: adminToken(layout),
  };
  startComponent(layout, config.apiServerCommand(layout, spec, binDir));
  await waitForComponent(layout, "kube-apiserver", "ready", () => apiOk(access, "/readyz"), 90_000);
  startComponent(layout, config.controllerManagerCommand(layout, spec, binDir));
  startComponent(layout, config.schedulerCommand(layout, spec, binDir));
  startComponent(layout, config.kubeletCommand(layout, spec, binDir));
  await waitHealthy(layout, spec);
  await waitForComponent(
    layout,
    "kubelet",
    "registered as a Ready node",
    () => nodeReady(access, spec.nodeName),
    90_000,
  );
  await waitForComponent(
    layout,
    "kube-controller-manager",
    "creating the default ServiceAccount",
    () => apiOk(access, "/api/v1/namespaces/default/serviceaccounts/default"),
    60_000,
  );
}

export async function up(opts: UpOptions): Promise<ClusterLayout> {
  const log = opts.log ?? (() => {});
  const layout = clusterLayout(opts.stateDir);
  const step = async <T>(what: string, fn: () => Promise<T> | T): Promise<T> => {
    const start = Date.now();
    const result = await fn();
    log(`${what}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return result;
  };
  const spec = await step("clean state, network, certificates", () => prepare(opts, layout));
  await step("etcd and containerd", async () => {
    startComponent(layout, config.etcdCommand(layout, spec, opts.binDir));
    await startContainerd(layout);
    const health = `http://127.0.0.1:${spec.ports.etcdClient}/health`;
    await waitForComponent(
      layout,
      "etcd",
      "healthy",
      async () => (await httpGet({ url: health }))?.status === 200,
      30_000,
    );
  });
  await step("images", async () => {
    const own = [
      { archive: join(opts.imagesDir, "pause.oci.tar"), name: config.PAUSE_IMAGE },
      { archive: join(opts.imagesDir, "probe.oci.tar"), name: PROBE_IMAGE },
    ];
    importImages(layout, [...own, ...(opts.images ?? [])]);
  });
  await step("control plane and kubelet", () => startControlPlane(layout, spec, opts.binDir));
  return layout;
}

/** Stops everything and removes the state (logs stay); throws if anything is left. */
export async function down(stateDir: string): Promise<void> {
  const layout = clusterLayout(stateDir);
  if (!existsSync(stateDir)) return;
  const spec = readSpec(layout);
  const pidOf = (c: string) => componentPid(layout, c);
  const kubelet = pidOf("kubelet");
  if (kubelet !== undefined) await stopPids([kubelet], 3_000);
  const ctrVersion = ["--address", layout.containerdSocket, "--connect-timeout", "2s", "version"];
  if (existsSync(layout.containerdSocket) && (await commandOk("ctr", ctrVersion))) {
    try {
      removeAllContainers(layout);
    } catch {
      // the sweep below kills what is left
    }
  }
  const rest = [...CONTROL_PLANE, "containerd", "etcd"].map(pidOf).filter((p) => p !== undefined);
  await stopPids(rest, 3_000);
  await killClusterProcesses(layout);
  unmountAll(layout.stateDir);
  deleteBridge(spec);
  removeContainerLogLinks(layout);
  removeContainerCgroups(layout);
  const left = describeLeftovers(leftovers(layout, spec));
  if (left) {
    throw new ClusterError(
      "TEARDOWN_INCOMPLETE",
      `the cluster in ${stateDir} left behind:\n${left}`,
    );
  }
  for (const entry of readdirSync(stateDir)) {
    if (entry !== "logs") rmSync(join(stateDir, entry), { recursive: true, force: true });
  }
}
