import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { baoWithJwt, kvPut } from "../../agent/agent-harness.ts";
import { freePort, removeTempDir, spawnTracked, waitUntil } from "../../support/processes.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import {
  CONFIG_ENV,
  HOME_PATH,
  DEFAULT_SECRETS_PATH,
  TOKEN_MOUNT_PATH,
} from "../../../webhook/mutate/names.ts";
import { agentConfig, annotated, container, inject, SETTINGS } from "./helpers.ts";

const CLI = resolve(import.meta.dirname, "../../../deploy/cli/bin.ts");
const WAIT_MS = 30_000;

/**
 * The whole path of agent-inject-signal-*: the webhook's config for the
 * sidecar, run by `vaultlet agent` against OpenBao with the pod's paths
 * mapped to a temporary directory, reloads an app found by its process name
 * when the KV secret changes. No shell anywhere.
 */
test("a pod's signal annotations make the injected agent SIGHUP the named app after a KV rotation", async (t) => {
  const { bao, signer, dir } = await baoWithJwt(
    'path "secret/data/app" { capabilities = ["read"] }',
  );
  t.after(() => removeTempDir(dir));
  await kvPut(bao, "secret", "app", { greeting: "hello" });

  // Unique per run, at most 15 bytes (the kernel's process name length).
  const appName = `vlsig${process.pid % 1_000_000}`;
  const { pod } = inject(
    annotated("default-sa", {
      "auth-type": "jwt",
      "auth-path": "auth/jwt",
      "agent-inject-secret-greeting.txt": "secret/data/app",
      "agent-inject-template-greeting.txt":
        '{{ with secret "secret/data/app" }}{{ .Data.data.greeting }}{{ end }}',
      "agent-inject-signal-greeting.txt": "HUP",
      "agent-inject-signal-process-greeting.txt": appName,
      "template-static-secret-render-interval": "1s",
    }),
    { ...SETTINGS, vaultAddress: bao.address },
  );
  assert.equal(pod.spec?.shareProcessNamespace, true);
  assert.equal(injectPod(pod, "default", SETTINGS).kind, "skip", "already injected");

  const sidecar = container(pod, "vault-agent");
  const paths = {
    secrets: join(dir, "secrets"),
    token: join(dir, "token"),
    home: join(dir, "home"),
  };
  for (const p of Object.values(paths)) mkdirSync(p, { recursive: true });
  let text = JSON.stringify(agentConfig(sidecar));
  for (const [from, to] of [
    [DEFAULT_SECRETS_PATH, paths.secrets],
    [TOKEN_MOUNT_PATH, paths.token],
    [HOME_PATH, paths.home],
  ] as const)
    text = text.split(from).join(to);
  const config = JSON.parse(text) as Record<string, unknown>;
  const opsPort = await freePort();
  config.vaultlet = { ...(config.vaultlet as object), listen: `127.0.0.1:${opsPort}` };
  writeFileSync(join(paths.token, "token"), await signer.signJwt({ sub: "app", aud: "vault" }));

  const [, ...args] = sidecar.command as string[];
  const agent = spawnTracked(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      [CONFIG_ENV]: Buffer.from(JSON.stringify(config)).toString("base64"),
    },
  });
  t.after(() => agent.stop());
  const file = join(paths.secrets, "greeting.txt");
  await waitUntil(
    "the agent's first render",
    async () => {
      if (agent.hasExited) throw new Error(`the agent exited:\n${agent.output().slice(-2000)}`);
      const res = await fetch(`http://127.0.0.1:${opsPort}/ready`);
      return res.status === 200 ? true : undefined;
    },
    WAIT_MS,
  );
  assert.equal(readFileSync(file, "utf8"), "hello");
  // The first render had nobody to signal: a warning, not a failed render.
  assert.match(agent.output(), /no process to signal/);

  const app = spawnTracked(process.execPath, [
    "-e",
    `process.title = ${JSON.stringify(appName)};
     process.on("SIGHUP", () => console.log("got SIGHUP"));
     console.log("started");
     setInterval(() => {}, 60_000);`,
  ]);
  t.after(() => app.stop());
  await waitUntil(
    "the app to start",
    async () => (/started/.test(app.output()) ? true : undefined),
    WAIT_MS,
  );

  await kvPut(bao, "secret", "app", { greeting: "hello again" });
  await waitUntil(
    "the app's SIGHUP",
    async () => (/got SIGHUP/.test(app.output()) ? true : undefined),
    WAIT_MS,
  );
  assert.equal(readFileSync(file, "utf8"), "hello again");
  assert.equal(app.hasExited, false, "SIGHUP was handled, not fatal");
  assert.match(agent.output(), /app signalled/);
});
