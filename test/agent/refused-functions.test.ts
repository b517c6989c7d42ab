/**
 * writeToFile and plugin are off by default and refused when the agent
 * starts, not when a template first runs: a long-running agent (no
 * exit_after_auth) with such a template exits 1 at once, names the function,
 * the template, the code and the setting that allows it, and writes nothing,
 * neither its other templates nor the refused call's file. Allowed by name
 * (the config's vaultlet { allow_functions } or -allow-function), each runs;
 * allowing one never allows the other.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { baoWithJwt, kvPut } from "./agent-harness.ts";

const BIN = resolve(import.meta.dirname, "../../deploy/cli/bin.ts");
const AGENT_TIMEOUT_MS = 60_000;

async function runAgent(
  configFile: string,
  flags: string[] = [],
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, "agent", `-config=${configFile}`, ...flags], {
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
    assert.ok(output.includes(`-allow-function=${fn}`), output);
    assert.ok(output.includes(`vault.hashicorp.com/agent-allow-functions: \\"${fn}\\"`), output);
    assert.ok(output.includes(`vaultlet { allow_functions = [\\"${fn}\\"] }`), output);
    assert.equal(existsSync(join(dir, `fine-${fn}`)), false, "a template was rendered");
    assert.equal(existsSync(join(dir, `refused-${fn}`)), false);
  }
  assert.equal(existsSync(join(dir, "written")), false);
  assert.equal(existsSync(join(dir, "touched")), false);
});

test("each function is allowed by name, by the flag or the config, and only that one", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(`path "kv/data/app" { capabilities = ["read"] }`);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "allowed-Pa55word" });
  const source = join(dir, "both.tpl");
  writeFileSync(
    source,
    `{{ with secret "kv/app" }}{{ .Data.data.password | writeToFile "${join(dir, "written")}" "" "" "0600" }}` +
      `{{ plugin "/bin/echo" "ran" }}{{ end }}`,
  );
  const config = (vaultlet?: object) => {
    const file = join(dir, `agent-${Math.random().toString(36).slice(2)}.json`);
    const body = {
      vault: { address: bao.address },
      auto_auth: {
        method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
      },
      exit_after_auth: true,
      template: [{ source, destination: join(dir, "both") }],
      ...(vaultlet ? { vaultlet } : {}),
    };
    writeFileSync(file, JSON.stringify(body));
    return file;
  };

  const onlyWrite = await runAgent(config(), ["-allow-function=writeToFile"]);
  assert.equal(onlyWrite.code, 1, onlyWrite.output);
  assert.ok(
    onlyWrite.output.includes(
      `function \\"plugin\\" (template source ${JSON.stringify(JSON.stringify(source)).slice(1, -1)}) is refused`,
    ),
    onlyWrite.output,
  );
  assert.equal(existsSync(join(dir, "written")), false);

  const onlyPlugin = await runAgent(config({ allow_functions: ["plugin"] }));
  assert.equal(onlyPlugin.code, 1, onlyPlugin.output);
  assert.match(onlyPlugin.output, /function \\"writeToFile\\" .*is refused/);

  const both = await runAgent(config({ allow_functions: ["plugin"] }), [
    "-allow-function=writeToFile",
  ]);
  assert.equal(both.code, 0, both.output);
  assert.equal(readFileSync(join(dir, "both"), "utf8"), "ran");
  assert.equal(readFileSync(join(dir, "written"), "utf8"), "allowed-Pa55word");
  assert.equal(statSync(join(dir, "written")).mode & 0o777, 0o600);
  assert.ok(!both.output.includes("allowed-Pa55word"), "the agent logged the secret");

  const bad = await runAgent(config(), ["-allow-function=exec"]);
  assert.equal(bad.code, 2, bad.output);
  assert.match(bad.output, /-allow-function=exec: not a function that can be allowed/);
});
