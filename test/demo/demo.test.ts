/**
 * `npm run demo` end to end: the demo script runs as a child process against
 * a real OpenBao and PostgreSQL, and its printout is checked step by step.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { assertNoSecretsIn } from "../support/log-capture.ts";

const RUN = resolve(import.meta.dirname, "run.ts");

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [RUN], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.once("error", fail);
    child.once("exit", (code) => done({ code, output }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("the demo injects the checkout pod, renders, rotates, signals and cleans up", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "vaultlet-demo-test-"));
  try {
    const secretsFile = join(scratch, "secrets.json");
    const { code, output } = await runDemo({
      ...process.env,
      VAULTLET_DEMO_SECRETS_FILE: secretsFile,
    });
    assert.equal(code, 0, output);

    for (let n = 1; n <= 10; n++) assert.match(output, new RegExp(`^\\[${n}/10\\] `, "m"));
    assert.match(output, /STAND-IN for the Kubernetes API/);
    assert.match(output, /caBundle written into MutatingWebhookConfiguration "vaultlet"/);
    assert.match(output, /\+ native sidecar vault-agent: vaultlet agent -config-env=VAULT_CONFIG/);
    assert.match(
      output,
      /\+ volume vaultlet-token: projected service-account token, audience "vault"/,
    );
    assert.match(output, /agent ready: logged in with the projected token/);

    // both files rendered, secret values shown only as fingerprints
    assert.match(output, /\| DB_USER=v-\S+/);
    assert.match(output, /\| DB_PASSWORD=<hidden: \d+ chars, sha256 [0-9a-f]{8}>/);
    assert.match(output, /"payment_api_key": "<hidden: \d+ chars, sha256 [0-9a-f]{8}>"/);
    assert.match(output, /"currency": "EUR"/);

    // rotation: re-render and SIGHUP from the agent's signal action (no shell)
    assert.match(output, /config\.json re-rendered/);
    assert.match(output, /checkout app: received SIGHUP #1/);
    assert.match(output, /checkout app: received SIGHUP #2/);

    // database login replaced, both logins worked
    const users = [...output.matchAll(/current_user = (v-\S+)/g)].map((m) => m[1]);
    assert.equal(users.length, 2, output);
    assert.notEqual(users[0], users[1]);
    assert.match(output, /db\.env re-rendered with a new login: (\S+) -> (\S+)/);

    // nothing secret printed
    const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as string[];
    assert.ok(secrets.length >= 4, "the demo handed over the values it handled");
    assertNoSecretsIn(output, secrets);

    // cleaned up: temporary directory and server processes gone
    const dir = /paths mapped under (\S+):/.exec(output)?.[1];
    assert.ok(dir, "the demo names its temporary directory");
    assert.equal(existsSync(dir), false);
    const baoPid = Number(/dev server, pid (\d+)/.exec(output)?.[1]);
    const appPid = Number(/started as pid (\d+)/.exec(output)?.[1]);
    assert.equal(alive(baoPid), false);
    assert.equal(alive(appPid), false);
    assert.match(output, /^Demo finished in [\d.]+ s\.$/m);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
