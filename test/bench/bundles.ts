/**
 * The images' single-file bundles: sizes (raw and gzip, as image layers ship
 * them), one bundle per image against one bundle with every command, and the
 * agent's once mode from the bundle against the sources: wall time from
 * process start to exit with the file rendered, and peak RSS, with JSON and
 * HCL configs against one OpenBao; and a sidecar's resident memory after
 * it has settled. Node flags are the agent image's.
 *
 *   node test/bench/bundles.ts [--runs=7]
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { buildBundles, BUNDLES } from "../../deploy/images/build-bundles.ts";
import { baoWithJwt, kvPut } from "../agent/agent-harness.ts";
import { makeTempDir } from "../support/processes.ts";
import { freePort } from "../support/processes.ts";
import { AGENT_NODE_OPTIONS, median, procMemory } from "./proc-stats.ts";

const SOURCES = resolve(import.meta.dirname, "../../deploy/cli/bin.ts");
const TEMPLATE = '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}';

interface Sample {
  ms: number;
  maxRssMiB: number;
}

/** Runs node with a preload that prints the peak RSS at exit. */
function runOnce(hook: string, script: string, args: string[]): Promise<Sample> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--import", hook, script, ...args], {
    env: { PATH: process.env["PATH"] ?? "", NODE_OPTIONS: AGENT_NODE_OPTIONS },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolveRun, reject) => {
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const rss = /@@RSS (\d+)/.exec(err);
      if (code !== 0 || !rss)
        reject(new Error(`${script} ${args.join(" ")} exited ${code}: ${err}`));
      else resolveRun({ ms, maxRssMiB: Number(rss[1]) / 1024 });
    });
  });
}

/** a bundle's size: the entry file, plus its chunk directory when it has one */
function sizes(path: string, chunks?: string) {
  const files = [path];
  if (chunks) {
    const dir = join(dirname(path), chunks);
    files.push(...readdirSync(dir).map((f) => join(dir, f)));
  }
  const all = files.map((f) => readFileSync(f));
  const raw = all.reduce((n, b) => n + b.length, 0);
  const gzip = all.reduce((n, b) => n + gzipSync(b).length, 0);
  return { kib: Math.round(raw / 1024), gzipKiB: Math.round(gzip / 1024), files: files.length };
}

/** A sidecar (JSON config) from start to ready, then its RSS after `settleMs`. */
async function sidecarRss(script: string, configFile: string, port: number, settleMs: number) {
  const child = spawn(process.execPath, [script, "agent", `-config=${configFile}`], {
    env: { PATH: process.env["PATH"] ?? "", NODE_OPTIONS: AGENT_NODE_OPTIONS },
    stdio: "ignore",
  });
  try {
    const start = Date.now();
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
      if (res?.status === 200) break;
      if (Date.now() - start > 30_000) throw new Error(`${script}: sidecar not ready`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, settleMs));
    const m = procMemory(child.pid!);
    return { rssMiB: Math.round(m.rssMiB * 10) / 10, peakMiB: Math.round(m.peakMiB * 10) / 10 };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("close", r));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } });
  const runs = Number(values.runs);
  const dir = makeTempDir("vaultlet-bench-bundles-");
  try {
    const outDir = join(dir, "app");
    const t0 = Date.now();
    await buildBundles({ outDir });
    const buildMs = Date.now() - t0;
    // the sources' own entry (deploy/cli/bin.ts) dispatches all four commands
    const allEntry = resolve(import.meta.dirname, "../../deploy/cli/bin.ts");
    await buildBundles({
      outDir: join(dir, "all"),
      bundles: [{ file: "vaultlet.mjs", entry: allEntry }],
    });
    const agent = join(outDir, BUNDLES.agent.file);
    const report: Record<string, unknown> = {
      buildMs,
      agent: sizes(agent, BUNDLES.agent.chunks),
      webhook: sizes(join(outDir, BUNDLES.webhook.file)),
      combined: sizes(join(dir, "all", "vaultlet.mjs")),
    };

    const hook = join(dir, "rss-hook.mjs");
    writeFileSync(
      hook,
      'import { writeSync } from "node:fs";\nprocess.on("exit", () => writeSync(2, `\\n@@RSS ${process.resourceUsage().maxRSS}\\n`));\n',
    );
    const {
      bao,
      jwtPath,
      dir: work,
    } = await baoWithJwt(`path "kv/data/app" { capabilities = ["read"] }`);
    await bao.enableKvV2("kv");
    await kvPut(bao, "kv", "app", { password: "bench" });
    const jsonFile = join(work, "agent.json");
    writeFileSync(
      jsonFile,
      JSON.stringify({
        vault: { address: bao.address },
        exit_after_auth: true,
        auto_auth: {
          method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
        },
        template: [{ destination: join(work, "out-json"), contents: TEMPLATE }],
      }),
    );
    const hclFile = join(work, "agent.hcl");
    writeFileSync(
      hclFile,
      `exit_after_auth = true
vault { address = "${bao.address}" }
auto_auth {
  method "jwt" {
    mount_path = "auth/jwt"
    config = { role = "app", path = "${jwtPath}" }
  }
}
template {
  destination = "${join(work, "out-hcl")}"
  contents    = ${JSON.stringify(TEMPLATE)}
}
`,
    );
    const cases: Record<string, string[]> = {
      version: ["--version"],
      "once-json": ["agent", `-config=${jsonFile}`],
      "once-hcl": ["agent", `-config=${hclFile}`],
    };
    const timings: Record<
      string,
      Record<string, { medianMs: number; medianMaxRssMiB: number }>
    > = {};
    for (const [name, args] of Object.entries(cases)) {
      timings[name] = {};
      for (const [variant, script] of [
        ["sources", SOURCES],
        ["bundle", agent],
      ] as const) {
        const samples: Sample[] = [];
        await runOnce(hook, script, args); // warm the page cache
        for (let i = 0; i < runs; i++) samples.push(await runOnce(hook, script, args));
        timings[name]![variant] = {
          medianMs: Math.round(median(samples.map((s) => s.ms))),
          medianMaxRssMiB: Math.round(median(samples.map((s) => s.maxRssMiB)) * 10) / 10,
        };
      }
    }
    const port = await freePort();
    const sidecarFile = join(work, "sidecar.json");
    writeFileSync(
      sidecarFile,
      JSON.stringify({
        vault: { address: bao.address },
        auto_auth: {
          method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
        },
        template: [{ destination: join(work, "out-sidecar"), contents: TEMPLATE }],
        vaultlet: { listen: `127.0.0.1:${port}` },
      }),
    );
    report["sidecarAfter10s"] = {
      sources: await sidecarRss(SOURCES, sidecarFile, port, 10_000),
      bundle: await sidecarRss(agent, sidecarFile, port, 10_000),
    };
    report["runs"] = runs;
    report["nodeOptions"] = AGENT_NODE_OPTIONS;
    report["agentOnce"] = timings;
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
