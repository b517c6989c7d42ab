/**
 * vaultlet agent against the reference `bao agent` ($BAO_BIN), side by side in
 * one run: one HCL config file read by both, ten realistic templates (KV v2
 * secrets, a PostgreSQL credential, a PKI certificate), token_file auth, one
 * OpenBao with an audit log.
 *
 * - start-up: once mode (exit_after_auth) from process start to exit with
 *   every file written, `--runs` times each, alternating which goes first;
 *   the outputs are compared byte for byte after normalising dynamic values.
 * - sidecar: `--pairs` pairs run at the same time for a compressed hour
 *   (lease and certificate TTL 30 s, static secrets every 10 s, token TTL 60 s:
 *   everything about 30x faster than a typical 15 min / 5 min / 30 min set-up).
 *   Resident (VmRSS) and anonymous (RssAnon) memory are read after `--steady`
 *   seconds, the peak is VmHWM at the end; CPU seconds (utime + stime) and
 *   Vault requests (audit log, by each agent's token accessor) are counted
 *   from ready to the end and scaled to one hour of the compressed clock.
 *
 *   node test/bench/agent-vs-bao.ts [--runs=5] [--pairs=3] [--steady=60] [--hour=120] [--json=FILE]
 *   VAULTLET_BIN=dist/vaultlet.mjs ...      a bundled build instead of the sources
 *   VAULTLET_NODE_OPTIONS="..."             node flags for vaultlet (default: the image's)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseAgentConfig, toJson } from "../../shared/agent-config/index.ts";
import { normaliseDynamic } from "../agent/template/differential/normalise.ts";
import { findBaoBinary, startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import { configureDatabaseEngine, startPostgres } from "../support/postgres.ts";
import { median, procCpuSeconds, procMemory, vaultletCommand } from "./proc-stats.ts";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    pairs: { type: "string", default: "3" },
    steady: { type: "string", default: "60" },
    hour: { type: "string", default: "120" },
    json: { type: "string" },
  },
});
const RUNS = Number(flags.runs);
const PAIRS = Number(flags.pairs);
const STEADY_S = Number(flags.steady);
const HOUR_S = Math.max(Number(flags.hour), STEADY_S);
/** the compressed clock: TTLs below are a typical production set-up divided by this */
const COMPRESSION = 30;

const KV_SECRETS = 6;
const PKI_DOMAIN = "example.test";
const PKI_ROLE = "example-dot-test";

/** ten templates: eight over KV v2 (two sharing secrets), one database credential, one certificate */
export function templates(): { name: string; text: string }[] {
  const kv = Array.from({ length: KV_SECRETS }, (_, i) => ({
    name: `kv-${i}.env`,
    text: `{{ with secret "kv/data/app/s${i}" }}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }}\n{{ end }}{{ end }}`,
  }));
  return [
    ...kv,
    {
      name: "config.json",
      text: `{{ with secret "kv/data/app/s0" }}{{ .Data.data | toJSONPretty }}{{ end }}\n`,
    },
    {
      name: "combined.properties",
      text: `{{ with secret "kv/data/app/s1" }}user={{ .Data.data.user }}{{ end }}\n{{ with secret "kv/data/app/s2" }}password={{ .Data.data.password }}{{ end }}\n`,
    },
    {
      name: "db.env",
      text: `{{ with secret "database/creds/app" }}DB_USER={{ .Data.username }}\nDB_PASS={{ .Data.password }}{{ end }}\n`,
    },
    {
      name: "tls.pem",
      text: `{{ with secret "pki/issue/${PKI_ROLE}" "common_name=web.${PKI_DOMAIN}" "ttl=30s" }}{{ .Data.certificate }}\n{{ .Data.private_key }}\n{{ .Data.issuing_ca }}{{ end }}\n`,
    },
  ];
}

function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

/** the one config file both agents read; destinations are relative to each agent's directory */
export function configHcl(address: string, once: boolean): string {
  const blocks = templates().map(
    (t) =>
      `template {\n  destination = ${hclString(`out/${t.name}`)}\n  contents    = ${hclString(t.text)}\n}`,
  );
  return [
    `vault {\n  address = ${hclString(address)}\n}`,
    `auto_auth {\n  method "token_file" {\n    config {\n      token_file_path = "token"\n    }\n  }\n}`,
    `exit_after_auth = ${once}`,
    `template_config {\n  static_secret_render_interval = "10s"\n  exit_on_retry_failure = ${once}\n}`,
    ...blocks,
    "",
  ].join("\n");
}

async function seed(bao: OpenBaoServer): Promise<() => Promise<void>> {
  await bao.enableKvV2("kv");
  await new Promise((r) => setTimeout(r, 1500)); // KV v2 finishes its upgrade
  for (let i = 0; i < KV_SECRETS; i++) {
    await bao.kvPut("kv", `app/s${i}`, {
      user: `user-${i}`,
      password: `pw-${i}-${"x".repeat(12)}`,
      url: `https://svc-${i}.${PKI_DOMAIN}:8443/api`,
    });
  }
  const pg = await startPostgres({ autoTeardown: false });
  await configureDatabaseEngine(bao, pg, { role: "app", defaultTtl: "30s", maxTtl: "10m" });
  await bao.enablePki("pki", { domain: PKI_DOMAIN, maxTtl: "10m", ttl: "30s" });
  await bao.writePolicy(
    "app",
    [
      `path "kv/data/app/*" { capabilities = ["read"] }`,
      `path "database/creds/app" { capabilities = ["read"] }`,
      `path "pki/issue/${PKI_ROLE}" { capabilities = ["create", "update"] }`,
    ].join("\n"),
  );
  return () => pg.stop();
}

/** vaultlet-json: the same config as JSON, the form the webhook hands the agent in a pod */
export const AGENT_NAMES = ["bao", "vaultlet", "vaultlet-json"] as const;
type AgentName = (typeof AGENT_NAMES)[number];

interface AgentSpec {
  name: AgentName;
  /** the config file this agent reads: the shared HCL, or the same config as JSON */
  config: "config.hcl" | "config.json";
  command: string;
  args: (configFile: string, extra: string | undefined) => string[];
  env: NodeJS.ProcessEnv;
}

function agentEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // each agent uses the config file's address and token, nothing inherited
  for (const [k, v] of Object.entries(process.env)) if (!/^(VAULT|BAO)_/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function agentSpecs(): AgentSpec[] {
  const v = vaultletCommand();
  return [
    {
      name: "bao",
      config: "config.hcl",
      command: findBaoBinary(),
      args: (config) => ["agent", `-config=${config}`],
      env: agentEnv({ HOME: tmpdir() }),
    },
    ...(["vaultlet", "vaultlet-json"] as const).map((name) => ({
      name,
      config: name === "vaultlet" ? ("config.hcl" as const) : ("config.json" as const),
      command: v.command,
      // the second file only moves vaultlet's own /ready endpoint off the shared default port
      args: (config: string, extra: string | undefined) => [
        ...v.args,
        "agent",
        `-config=${config}`,
        ...(extra ? [`-config=${extra}`] : []),
      ],
      env: agentEnv(v.env),
    })),
  ];
}

interface Workspace {
  dir: string;
  accessor: string;
}

async function workspace(bao: OpenBaoServer, root: string, label: string): Promise<Workspace> {
  const dir = join(root, label);
  mkdirSync(join(dir, "out"), { recursive: true });
  const token = await bao.createToken({ policies: ["app"], ttl: "60s", displayName: label });
  writeFileSync(join(dir, "token"), token.client_token);
  return { dir, accessor: token.accessor };
}

/** the shared HCL file, and the same config as JSON (what vaultlet's own parser reads from it) */
async function writeConfig(dir: string, hcl: string): Promise<void> {
  writeFileSync(join(dir, "config.hcl"), hcl);
  const { config } = await parseAgentConfig(hcl, { source: "config.hcl" });
  writeFileSync(join(dir, "config.json"), JSON.stringify(toJson(config), null, 2));
}

function outputs(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of templates()) {
    const file = join(dir, "out", t.name);
    if (existsSync(file)) out.set(t.name, readFileSync(file, "utf8"));
  }
  return out;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => child.once("close", (code) => r(code)));
}

async function onceRun(spec: AgentSpec, ws: Workspace, address: string): Promise<number> {
  await writeConfig(ws.dir, configHcl(address, true));
  const started = performance.now();
  const child = spawn(spec.command, spec.args(spec.config, undefined), {
    cwd: ws.dir,
    env: spec.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const code = await exited(child);
  const ms = performance.now() - started;
  const written = outputs(ws.dir).size;
  if (code !== 0 || written !== templates().length) {
    throw new Error(
      `${spec.name} once mode: exit ${code}, ${written}/${templates().length} files\n${stderr}`,
    );
  }
  return ms;
}

export interface SidecarSample {
  readyMs: number;
  steadyRssMiB: number;
  steadyAnonMiB: number;
  peakRssMiB: number;
  cpuSecondsPerHour: number;
  requestsPerHour: number;
}

async function sidecar(
  spec: AgentSpec,
  ws: Workspace,
  bao: OpenBaoServer,
  port: number,
): Promise<{ sample: Promise<SidecarSample>; child: ChildProcess }> {
  await writeConfig(ws.dir, configHcl(bao.address, false));
  writeFileSync(
    join(ws.dir, "ops.json"),
    JSON.stringify({ vaultlet: { listen: `127.0.0.1:${port}` } }),
  );
  const started = performance.now();
  const child = spawn(spec.command, spec.args(spec.config, "ops.json"), {
    cwd: ws.dir,
    env: spec.env,
    stdio: "ignore",
  });
  const pid = child.pid!;
  const sample = (async (): Promise<SidecarSample> => {
    while (outputs(ws.dir).size < templates().length) {
      if (child.exitCode !== null) throw new Error(`${spec.name} exited ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - started;
    const cpu0 = procCpuSeconds(pid);
    const req0 = bao.auditRequests({ accessor: ws.accessor }).length;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, STEADY_S * 1000));
    const steady = procMemory(pid);
    await new Promise((r) => setTimeout(r, (HOUR_S - STEADY_S) * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = procCpuSeconds(pid) - cpu0;
    const requests = bao.auditRequests({ accessor: ws.accessor }).length - req0;
    const end = procMemory(pid);
    // the compressed clock runs COMPRESSION times faster than the real one
    const perHour = 3600 / (elapsed * COMPRESSION);
    return {
      readyMs,
      steadyRssMiB: steady.rssMiB,
      steadyAnonMiB: steady.anonMiB,
      peakRssMiB: end.peakMiB,
      cpuSecondsPerHour: cpu * perHour,
      requestsPerHour: requests * perHour,
    };
  })();
  return { sample, child };
}

export interface AgentVsBaoResult {
  templates: number;
  runs: number;
  pairs: number;
  steadySeconds: number;
  hourSeconds: number;
  compression: number;
  vaultletCommand: string;
  onceMs: Record<string, number>;
  sidecar: Record<string, SidecarSample>;
  identical: { same: number; total: number; differing: string[] };
}

async function main(): Promise<AgentVsBaoResult> {
  const specs = agentSpecs();
  const bao = await startOpenBao({ audit: true, autoTeardown: false });
  const root = join(tmpdir(), `vaultlet-bench-vs-${process.pid}`);
  let stopPg: (() => Promise<void>) | undefined;
  try {
    stopPg = await seed(bao);
    // start-up, alternating which agent goes first
    const once = Object.fromEntries(AGENT_NAMES.map((n) => [n, [] as number[]]));
    let compared: Map<string, string>[] = [];
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? specs : [...specs].reverse();
      const rendered: Map<string, string>[] = [];
      for (const spec of order) {
        const ws = await workspace(bao, root, `once-${run}-${spec.name}`);
        once[spec.name]!.push(await onceRun(spec, ws, bao.address));
        rendered[AGENT_NAMES.indexOf(spec.name)] = outputs(ws.dir);
      }
      compared = rendered;
    }
    const differing: string[] = [];
    for (const t of templates()) {
      const [a, ...others] = compared.map((c) => c.get(t.name));
      if (
        a === undefined ||
        others.some((b) => b === undefined || normaliseDynamic(a) !== normaliseDynamic(b))
      ) {
        differing.push(t.name);
      }
    }
    // sidecars, all pairs at once
    const running: { name: string; sample: Promise<SidecarSample>; child: ChildProcess }[] = [];
    let port = 18_300 + (process.pid % 500) * 20;
    for (let p = 0; p < PAIRS; p++) {
      for (const spec of specs) {
        const ws = await workspace(bao, root, `side-${p}-${spec.name}`);
        running.push({ name: spec.name, ...(await sidecar(spec, ws, bao, port++)) });
      }
    }
    const samples = Object.fromEntries(AGENT_NAMES.map((n) => [n, [] as SidecarSample[]]));
    try {
      for (const r of running) samples[r.name]!.push(await r.sample);
    } finally {
      for (const r of running) r.child.kill("SIGTERM");
      await Promise.all(running.map((r) => (r.child.exitCode === null ? exited(r.child) : 0)));
    }
    const mid = (name: string): SidecarSample => {
      const list = samples[name]!;
      const pick = (k: keyof SidecarSample) => median(list.map((s) => s[k]));
      return {
        readyMs: pick("readyMs"),
        steadyRssMiB: pick("steadyRssMiB"),
        steadyAnonMiB: pick("steadyAnonMiB"),
        peakRssMiB: pick("peakRssMiB"),
        cpuSecondsPerHour: pick("cpuSecondsPerHour"),
        requestsPerHour: pick("requestsPerHour"),
      };
    };
    const v = vaultletCommand();
    return {
      templates: templates().length,
      runs: RUNS,
      pairs: PAIRS,
      steadySeconds: STEADY_S,
      hourSeconds: HOUR_S,
      compression: COMPRESSION,
      vaultletCommand: [
        v.env.NODE_OPTIONS ? `NODE_OPTIONS="${v.env.NODE_OPTIONS}"` : "",
        v.command,
        ...v.args,
      ]
        .filter(Boolean)
        .join(" ")
        .replaceAll(resolve(import.meta.dirname, "../..") + "/", ""),
      onceMs: Object.fromEntries(AGENT_NAMES.map((n) => [n, median(once[n]!)])),
      sidecar: Object.fromEntries(AGENT_NAMES.map((n) => [n, mid(n)])),
      identical: {
        same: templates().length - differing.length,
        total: templates().length,
        differing,
      },
    };
  } finally {
    await bao.stop();
    await stopPg?.();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await main();
  if (flags.json) writeFileSync(flags.json, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result, null, 2));
}
