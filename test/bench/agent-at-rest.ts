/**
 * vaultlet agent at rest against `bao agent` ($BAO_BIN), side by side on one
 * OpenBao: the same jwt login, one KV v2 template, a static re-read every
 * `--interval` (default 5s). After both have rendered, `--seconds` (default
 * 60) of rest: CPU seconds (utime + stime from /proc/PID/stat) over that
 * window, resident and anonymous memory (VmRSS, RssAnon) at its end.
 *
 *   node test/bench/agent-at-rest.ts [--interval=5s] [--seconds=60] [--json=FILE]
 *   VAULTLET_BIN=dist/vaultlet-agent.mjs ...          the bundle (default: the sources)
 *   VAULTLET_BIN_BEFORE=/other/vaultlet-agent.mjs ...  a second vaultlet in the same run
 *
 * vaultlet runs with the agent image's NODE_OPTIONS (VAULTLET_NODE_OPTIONS
 * overrides them).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { findBaoBinary, startOpenBao } from "../support/openbao.ts";
import { procCpuSeconds, procMemory, vaultletCommand } from "./proc-stats.ts";

export interface AtRestSample {
  name: string;
  command: string;
  cpuSeconds: number;
  rssMiB: number;
  anonMiB: number;
}

export interface AtRestResult {
  interval: string;
  seconds: number;
  samples: AtRestSample[];
}

interface Contender {
  name: string;
  command: string;
  args: (dir: string) => string[];
  env: NodeJS.ProcessEnv;
  output: string;
}

interface AtRestOptions {
  readonly interval: string;
  readonly seconds: number;
}

function contenders(dir: string): Contender[] {
  const v = vaultletCommand();
  const vaultlet = (name: string, bin: string): Contender => ({
    name,
    command: v.command,
    args: () => [bin, "agent", `-config=${join(dir, `${name}.json`)}`],
    env: { PATH: process.env["PATH"] ?? "", ...v.env },
    output: join(dir, `${name}.out`),
  });
  const before = process.env["VAULTLET_BIN_BEFORE"];
  return [
    {
      name: "bao agent",
      command: findBaoBinary(),
      args: () => ["agent", `-config=${join(dir, "bao.hcl")}`],
      env: { PATH: process.env["PATH"] ?? "", HOME: tmpdir() },
      output: join(dir, "bao.out"),
    },
    ...(before ? [vaultlet("vaultlet-before", resolve(before))] : []),
    vaultlet("vaultlet", v.args[0]!),
  ];
}

const TEMPLATE = '{{ with secret "kv/data/app" }}{{ .Data.data.password }}{{ end }}';

function writeConfigs(
  dir: string,
  address: string,
  jwtPath: string,
  list: Contender[],
  interval: string,
): void {
  const jwt = { role: "app", path: jwtPath, remove_jwt_after_reading: false };
  let port = 18_900 + (process.pid % 400) * 2;
  for (const c of list.filter((c) => c.name !== "bao agent")) {
    const config = {
      vault: { address },
      vaultlet: { listen: `127.0.0.1:${port++}` },
      auto_auth: { method: { type: "jwt", mount_path: "auth/jwt", config: jwt } },
      template_config: { static_secret_render_interval: interval },
      template: [{ destination: c.output, contents: TEMPLATE }],
    };
    writeFileSync(join(dir, `${c.name}.json`), JSON.stringify(config));
  }
  const q = JSON.stringify;
  writeFileSync(
    join(dir, "bao.hcl"),
    [
      `vault { address = ${q(address)} }`,
      `auto_auth {\n  method "jwt" {\n    mount_path = "auth/jwt"\n    config = {\n      role = "app"\n      path = ${q(jwtPath)}\n      remove_jwt_after_reading = false\n    }\n  }\n}`,
      `template_config { static_secret_render_interval = ${q(interval)} }`,
      `template {\n  destination = ${q(join(dir, "bao.out"))}\n  contents = ${q(TEMPLATE)}\n}`,
      "",
    ].join("\n"),
  );
}

async function main({ interval, seconds }: AtRestOptions): Promise<AtRestResult> {
  const bao = await startOpenBao({ autoTeardown: false });
  const dir = mkdtempSync(join(tmpdir(), "vaultlet-bench-rest-"));
  const running: { c: Contender; child: ChildProcess }[] = [];
  try {
    await bao.writePolicy("app", `path "kv/data/app" { capabilities = ["read"] }`);
    const signer = await bao.enableJwtAuth({ mount: "jwt" });
    await bao.jwtRole("jwt", "app", {
      boundAudiences: ["vault"],
      policies: ["app"],
      tokenTtl: "1h",
    });
    await bao.enableKvV2("kv");
    await new Promise((r) => setTimeout(r, 1500)); // KV v2 finishes its upgrade
    await bao.kvPut("kv", "app", { password: "rest-Pa55word" });
    const jwtPath = join(dir, "jwt");
    writeFileSync(jwtPath, await signer.signJwt({ sub: "app", aud: "vault" }));
    const list = contenders(dir);
    writeConfigs(dir, bao.address, jwtPath, list, interval);
    for (const c of list) {
      const child = spawn(c.command, c.args(dir), { env: c.env, cwd: dir, stdio: "ignore" });
      running.push({ c, child });
    }
    const deadline = Date.now() + 30_000;
    while (!list.every((c) => existsSync(c.output))) {
      if (Date.now() > deadline) throw new Error("not every agent rendered in 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000)); // start-up settles
    const cpu0 = running.map((r) => procCpuSeconds(r.child.pid!));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const samples = running.map((r, i) => {
      const mem = procMemory(r.child.pid!);
      return {
        name: r.c.name,
        command: [r.c.command, ...r.c.args(dir)].join(" "),
        cpuSeconds: procCpuSeconds(r.child.pid!) - cpu0[i]!,
        rssMiB: mem.rssMiB,
        anonMiB: mem.anonMiB,
      };
    });
    return { interval, seconds, samples };
  } finally {
    for (const r of running) r.child.kill("SIGTERM");
    await bao.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatAtRest(r: AtRestResult): string {
  const bao = r.samples.find((s) => s.name === "bao agent")!;
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");
  return [
    `jwt login, one KV v2 template, static re-read every ${r.interval}; ${r.seconds} s at rest, side by side on one OpenBao`,
    "",
    "| agent | CPU s at rest | / bao | RSS MiB | anon MiB | / bao |",
    "|---|---:|---:|---:|---:|---:|",
    ...r.samples.map(
      (s) =>
        `| ${s.name} | ${s.cpuSeconds.toFixed(2)} | ${ratio(s.cpuSeconds, bao.cpuSeconds)} | ${s.rssMiB.toFixed(1)} | ${s.anonMiB.toFixed(1)} | ${ratio(s.anonMiB, bao.anonMiB)} |`,
    ),
  ].join("\n");
}

if (import.meta.main) {
  const { values: flags } = parseArgs({
    options: {
      interval: { type: "string", default: "5s" },
      seconds: { type: "string", default: "60" },
      json: { type: "string" },
    },
  });
  const result = await main({ interval: flags.interval, seconds: Number(flags.seconds) });
  if (flags.json) writeFileSync(flags.json, JSON.stringify(result, null, 2));
  console.log(formatAtRest(result));
}
