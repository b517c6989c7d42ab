/**
 * The agent as a sidecar on a real OpenBao: time to the first full render
 * (/ready), resident memory and CPU while idle, and Vault requests while
 * idle, for N templates over N/2 distinct KV secrets (so dedupe shows), plus
 * the wall time of once mode (an init container or CI job).
 *
 *   node test/bench/agent-sidecar.ts [templates] [idle-seconds]
 *   VAULTLET_BIN=dist/vaultlet.mjs node test/bench/agent-sidecar.ts   # a bundled build
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startOpenBao } from "../support/openbao.ts";
import { freePort } from "../support/processes.ts";

const templates = Number(process.argv[2] ?? "20");
const idleSeconds = Number(process.argv[3] ?? "20");
const BIN = process.env["VAULTLET_BIN"] ?? resolve(import.meta.dirname, "../../deploy/cli/bin.ts");

const bao = await startOpenBao({ audit: true, autoTeardown: false });
const dir = mkdtempSync(join(tmpdir(), "vaultlet-bench-agent-"));
try {
  await bao.writePolicy("app", `path "kv/data/*" { capabilities = ["read"] }`);
  const signer = await bao.enableJwtAuth({ mount: "jwt" });
  await bao.jwtRole("jwt", "app", { boundAudiences: ["vault"], policies: ["app"], tokenTtl: "1h" });
  await bao.enableKvV2("kv");
  await new Promise((r) => setTimeout(r, 1500)); // KV v2 finishes its upgrade
  const secrets = Math.max(1, Math.floor(templates / 2));
  for (let i = 0; i < secrets; i++) await bao.kvPut("kv", `s${i}`, { v: `value-${i}` });
  const jwtPath = join(dir, "jwt");
  writeFileSync(jwtPath, await signer.signJwt({ sub: "app", aud: "vault" }));
  const config = (once: boolean, port: number) => ({
    exit_after_auth: once,
    vault: { address: bao.address },
    vaultlet: { listen: `127.0.0.1:${port}` },
    auto_auth: { method: { type: "jwt", config: { role: "app", path: jwtPath } } },
    template_config: { static_secret_render_interval: "5m" },
    template: Array.from({ length: templates }, (_, i) => ({
      destination: join(dir, `${once ? "once" : "side"}-${i}`),
      contents: `{{ with secret "kv/s${i % secrets}" }}{{ .Data.data.v }}{{ end }}`,
    })),
  });

  // once mode
  writeFileSync(join(dir, "once.json"), JSON.stringify(config(true, 0)));
  const onceStart = performance.now();
  const once = spawn(process.execPath, [BIN, "agent", `-config=${join(dir, "once.json")}`], {
    stdio: "ignore",
  });
  const onceCode = await new Promise((r) => once.on("close", r));
  const onceMs = performance.now() - onceStart;

  // sidecar
  const port = await freePort();
  writeFileSync(join(dir, "side.json"), JSON.stringify(config(false, port)));
  const started = performance.now();
  const side = spawn(process.execPath, [BIN, "agent", `-config=${join(dir, "side.json")}`], {
    stdio: "ignore",
  });
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - started;
  const cpu = () => {
    const f = readFileSync(`/proc/${side.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${side.pid}/status`, "utf8"))![1]) / 1024;
  const requestsBefore = bao.auditRequests({ excludeRoot: true }).length;
  const cpuBefore = cpu();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idleCpu = cpu() - cpuBefore;
  const idleRequests = bao.auditRequests({ excludeRoot: true }).length - requestsBefore;
  const memory = rss();
  side.kill("SIGTERM");
  const sideCode = await new Promise((r) => side.on("close", r));

  console.log(`templates: ${templates} over ${secrets} distinct KV secrets`);
  console.log(`once mode: exit ${onceCode} in ${onceMs.toFixed(0)} ms`);
  console.log(`sidecar: ready after ${readyMs.toFixed(0)} ms`);
  console.log(
    `sidecar idle ${idleSeconds}s: ${idleCpu.toFixed(2)} CPU s (${((idleCpu / idleSeconds) * 1000).toFixed(1)}m CPU), RSS ${memory.toFixed(1)} MiB, ${idleRequests} Vault requests`,
  );
  console.log(`sidecar SIGTERM: exit ${sideCode}`);
} finally {
  await bao.stop();
  rmSync(dir, { recursive: true, force: true });
}
