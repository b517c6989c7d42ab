/**
 * writeToFile and plugin are refused when the agent starts, not when a
 * template first runs: a long-running agent (no exit_after_auth) with such a
 * template exits 1 at once, names the function, the template and the code,
 * and writes nothing, neither its other templates nor the refused call's file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { baoWithJwt, kvPut } from "./agent-harness.ts";

const BIN = resolve(import.meta.dirname, "../../deploy/cli/bin.ts");
const AGENT_TIMEOUT_MS = 60_000;

async function runAgent(configFile: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, "agent", `-config=${configFile}`], {
    env: { PATH: process.env["PATH"] ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), AGENT_TIMEOUT_MS);
  const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  clearTimeout(timer);
  return { code, output };
}

test("a template calling writeToFile or plugin stops the agent at start-up, naming both", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(`path "kv/data/app" { capabilities = ["read"] }`);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "refused-Pa55word" });
  const calls = {
    writeToFile: `{{ writeToFile "${join(dir, "written")}" "" "" "0644" "x" }}`,
    plugin: `{{ plugin "/bin/touch" "${join(dir, "touched")}" }}`,
  };
  for (const [fn, call] of Object.entries(calls)) {
    const config = {
      vault: { address: bao.address },
      auto_auth: {
        method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
      },
      template: [
        { destination: join(dir, `fine-${fn}`), contents: '{{ with secret "kv/app" }}ok{{ end }}' },
        { destination: join(dir, `refused-${fn}`), contents: `line one\n${call}` },
      ],
    };
    const file = join(dir, `agent-${fn}.json`);
    writeFileSync(file, JSON.stringify(config));
    const { code, output } = await runAgent(file);
    assert.equal(code, 1, output);
    assert.match(output, /TEMPLATE_REFUSED/);
    assert.match(output, new RegExp(`refused-${fn}:2:3: function \\\\"${fn}\\\\" is refused`));
    assert.equal(existsSync(join(dir, `fine-${fn}`)), false, "a template was rendered");
    assert.equal(existsSync(join(dir, `refused-${fn}`)), false);
  }
  assert.equal(existsSync(join(dir, "written")), false);
  assert.equal(existsSync(join(dir, "touched")), false);
});
