import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "../support/processes.ts";
import { captureLogs } from "../support/log-capture.ts";
import { baoWithJwt, eventually, kvPut } from "./agent-harness.ts";
import type { BaoApiError } from "../support/openbao-admin.ts";

const BIN = resolve(import.meta.dirname, "../../deploy/cli/bin.ts");
const POLICY = `path "kv/data/app" { capabilities = ["read"] }`;

interface Run {
  code: Promise<number | null>;
  output: () => string;
  kill: (sig: NodeJS.Signals) => void;
}

function vaultlet(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  return { code, output: () => out, kill: (sig) => child.kill(sig) };
}

async function setup() {
  const s = await baoWithJwt(POLICY);
  await s.bao.enableKvV2("kv");
  await kvPut(s.bao, "kv", "app", { password: "cli-Pa55word" });
  await kvPut(s.bao, "kv", "other", { password: "not-allowed" });
  return s;
}

function configJson(
  address: string,
  jwtPath: string,
  dir: string,
  extra: Record<string, unknown> = {},
) {
  return {
    vault: { address },
    auto_auth: {
      method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
      sink: [{ file: { config: { path: join(dir, "token") } } }],
    },
    template: [
      {
        destination: join(dir, "out"),
        contents: '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}',
      },
    ],
    ...extra,
  };
}

test("once mode: renders, writes the sink and exits 0; the config may come from a base64 env var", async () => {
  const { bao, jwtPath, dir } = await setup();
  const file = join(dir, "agent.json");
  writeFileSync(
    file,
    JSON.stringify(configJson(bao.address, jwtPath, dir, { exit_after_auth: true })),
  );
  const run = vaultlet(["agent", `-config=${file}`]);
  assert.equal(await run.code, 0, run.output());
  assert.equal(readFileSync(join(dir, "out"), "utf8"), "cli-Pa55word");
  const token = readFileSync(join(dir, "token"), "utf8");
  assert.ok(token.length > 10);

  const envDir = join(dir, "env");
  mkdirSync(envDir);
  const encoded = Buffer.from(
    JSON.stringify(configJson(bao.address, jwtPath, envDir, { exit_after_auth: true })),
  ).toString("base64");
  const viaEnv = vaultlet(["agent", "-config-env=AGENT_CONFIG"], { AGENT_CONFIG: encoded });
  assert.equal(await viaEnv.code, 0, viaEnv.output());
  assert.equal(readFileSync(join(envDir, "out"), "utf8"), "cli-Pa55word");

  const logs = captureLogs();
  logs.add(run.output() + viaEnv.output());
  logs.assertNoSecrets([
    "cli-Pa55word",
    token,
    readFileSync(envDir + "/token", "utf8"),
    readFileSync(jwtPath, "utf8"),
  ]);
});

test("once mode: a denied path exits 1 at once naming the path; usage errors exit 2", async () => {
  const { bao, jwtPath, dir } = await setup();
  const file = join(dir, "agent.json");
  const config = configJson(bao.address, jwtPath, dir, { exit_after_auth: true });
  config.template = [
    {
      destination: join(dir, "out"),
      contents: '{{ with secret "kv/other" }}{{ .Data.data.password }}{{ end }}',
    },
  ];
  writeFileSync(file, JSON.stringify(config));
  const run = vaultlet(["agent", `-config=${file}`]);
  assert.equal(await run.code, 1);
  assert.match(run.output(), /kv\/data\/other/);
  assert.match(run.output(), /permission denied/);
  assert.equal(existsSync(join(dir, "out")), false);
  assert.ok(
    bao.auditRequests({ pathPrefix: "kv/data/other", excludeRoot: true }).length === 1,
    "no retries for a denial in once mode",
  );
  assert.doesNotMatch(run.output(), /not-allowed/);

  const usage = vaultlet(["agent"]);
  assert.equal(await usage.code, 2);
  assert.match(usage.output(), /-config=FILE/);
  const badEnv = vaultlet(["agent", "-config-env=NOPE"]);
  assert.equal(await badEnv.code, 2);
  assert.match(badEnv.output(), /NOPE is not set/);
});

test("sidecar mode: /ready after the first render, SIGTERM exits 0 and revokes the token when asked", async () => {
  const { bao, jwtPath, dir } = await setup();
  const port = await freePort();
  const file = join(dir, "agent.json");
  writeFileSync(
    file,
    JSON.stringify(
      configJson(bao.address, jwtPath, dir, {
        vaultlet: { listen: `127.0.0.1:${port}`, revoke_on_shutdown: true },
      }),
    ),
  );
  const run = vaultlet(["agent", `-config=${file}`]);
  try {
    await eventually("ready", 20_000, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
      return res?.status === 200;
    });
    assert.equal(readFileSync(join(dir, "out"), "utf8"), "cli-Pa55word");
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /vaultlet_agent_logins_total\{method="jwt",result="success"\} 1/);
    assert.match(metrics, /vaultlet_agent_token_expiry_seconds \d+/);
    const token = readFileSync(join(dir, "token"), "utf8");
    run.kill("SIGTERM");
    assert.equal(await run.code, 0, run.output());
    await assert.rejects(
      bao.api("GET", "auth/token/lookup-self", undefined, { token }),
      (e: BaoApiError) => e.status === 403,
    );
    const logs = captureLogs();
    logs.add(run.output());
    logs.assertNoSecrets(["cli-Pa55word", token]);
  } finally {
    run.kill("SIGKILL");
  }
});

test("once mode with an HCL config, as Vault Agent users write it", async () => {
  const { bao, jwtPath, dir } = await setup();
  const file = join(dir, "agent.hcl");
  writeFileSync(
    file,
    `exit_after_auth = true
vault {
  address = "${bao.address}"
}
auto_auth {
  method "jwt" {
    mount_path = "auth/jwt"
    config = {
      role = "app"
      path = "${jwtPath}"
    }
  }
  sink "file" {
    config = {
      path = "${join(dir, "token")}"
      mode = 0600
    }
  }
}
template {
  destination = "${join(dir, "out")}"
  contents    = "{{ with secret \\"kv/app\\" }}{{ .Data.data.password }}{{ end }}"
  perms       = "0600"
}
`,
  );
  const run = vaultlet(["agent", `-config=${file}`]);
  assert.equal(await run.code, 0, run.output());
  assert.equal(readFileSync(join(dir, "out"), "utf8"), "cli-Pa55word");
  assert.equal(statSync(join(dir, "out")).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, "token")).mode & 0o777, 0o600);
});
