import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { baoWithJwt, kvPut } from "../../agent/agent-harness.ts";
import {
  freePort,
  removeTempDir,
  spawnTracked,
  waitUntil,
  type TrackedProcess,
} from "../../support/processes.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import {
  CONFIG_ENV,
  HOME_PATH,
  DEFAULT_SECRETS_PATH,
  TOKEN_MOUNT_PATH,
} from "../../../webhook/mutate/names.ts";
import type { Pod } from "../../../webhook/pod.ts";
import { agentConfig, annotated, container, inject, SETTINGS } from "./helpers.ts";

const CLI = resolve(import.meta.dirname, "../../../deploy/cli/bin.ts");
const WAIT_MS = 30_000;

interface Ids {
  uid: number;
  gid: number;
}

/** The checkout example's app: pod-level uid 10001, gid 1000 (the injector's agent default is 100). */
const APP: Ids = { uid: 10001, gid: 1000 };

interface Started {
  agent: TrackedProcess;
  file: string;
  warnings: string[];
  agentIds: Ids;
  bao: Awaited<ReturnType<typeof baoWithJwt>>["bao"];
}

/**
 * Injects a pod whose template signals the app, then runs the sidecar's
 * command and config with `vaultlet agent` against OpenBao, as the uid and
 * gid the webhook put in the sidecar's securityContext, with the pod's
 * paths mapped to a temporary directory (world-writable like an emptyDir).
 */
async function startInjectedAgent(
  t: { after: (fn: () => unknown) => void },
  appName: string,
  extra: Record<string, string> = {},
  podContext: NonNullable<Pod["spec"]>["securityContext"] = undefined,
): Promise<Started> {
  const { bao, signer, dir } = await baoWithJwt(
    'path "secret/data/app" { capabilities = ["read"] }',
  );
  t.after(() => removeTempDir(dir));
  chmodSync(dir, 0o755);
  await kvPut(bao, "secret", "app", { greeting: "hello" });

  const annotatedPod = annotated("default-sa", {
    "auth-type": "jwt",
    "auth-path": "auth/jwt",
    "agent-inject-secret-greeting.txt": "secret/data/app",
    "agent-inject-template-greeting.txt":
      '{{ with secret "secret/data/app" }}{{ .Data.data.greeting }}{{ end }}',
    "agent-inject-signal-greeting.txt": "HUP",
    "agent-inject-signal-process-greeting.txt": appName,
    "template-static-secret-render-interval": "1s",
    ...extra,
  });
  if (podContext) {
    // the checkout example's shape: the ids on the pod, none on the container
    annotatedPod.spec!.securityContext = podContext;
    delete annotatedPod.spec!.containers[0]!.securityContext;
  }
  const { pod, result } = inject(annotatedPod, { ...SETTINGS, vaultAddress: bao.address });
  assert.equal(pod.spec?.shareProcessNamespace, true);
  assert.equal(injectPod(pod, "default", SETTINGS).kind, "skip", "already injected");

  const sidecar = container(pod, "vault-agent");
  const agentIds = {
    uid: sidecar.securityContext?.runAsUser ?? 0,
    gid: sidecar.securityContext?.runAsGroup ?? 0,
  };
  const paths = {
    secrets: join(dir, "secrets"),
    token: join(dir, "token"),
    home: join(dir, "home"),
  };
  for (const p of Object.values(paths)) {
    mkdirSync(p, { recursive: true });
    chmodSync(p, 0o777);
  }
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
  writeFileSync(join(paths.token, "token"), await signer.signJwt({ sub: "app", aud: "vault" }), {
    mode: 0o644,
  });

  const [, ...args] = sidecar.command as string[];
  const agent = spawnTracked(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      [CONFIG_ENV]: Buffer.from(JSON.stringify(config)).toString("base64"),
    },
    ...agentIds,
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
  // The first render had nobody to signal: a warning, not a failed render
  // (logged after the file is written, so possibly after /ready answers).
  await waitUntil(
    "the first render's signal attempt",
    () => logged(agent, /no process to signal/),
    WAIT_MS,
  );
  return { agent, file, warnings: result.warnings, agentIds, bao };
}

/** Whether the agent has logged a line matching `re` (its log reaches the pipe a little later). */
async function logged(agent: TrackedProcess, re: RegExp): Promise<true | undefined> {
  return re.test(agent.output()) ? true : undefined;
}

/** The app: reads the rendered file as its own uid on every SIGHUP, as a reload would. */
async function startApp(
  t: { after: (fn: () => unknown) => void },
  name: string,
  file: string,
  ids?: Ids,
) {
  const app = spawnTracked(
    process.execPath,
    [
      "-e",
      `process.title = ${JSON.stringify(name)};
       const fs = require("node:fs");
       process.on("SIGHUP", () => console.log("got SIGHUP, read: " + fs.readFileSync(${JSON.stringify(file)}, "utf8")));
       console.log("started");
       setInterval(() => {}, 60_000);`,
    ],
    ids ?? {},
  );
  t.after(() => app.stop());
  await waitUntil(
    "the app to start",
    async () => (/started/.test(app.output()) ? true : undefined),
    WAIT_MS,
  );
  return app;
}

/**
 * The whole path of agent-inject-signal-*: the webhook's config for the
 * sidecar, run by `vaultlet agent` against OpenBao, reloads an app found by
 * its process name when the KV secret changes. No shell anywhere.
 */
test("a pod's signal annotations make the injected agent SIGHUP the named app after a KV rotation", async (t) => {
  // Unique per run, at most 15 bytes (the kernel's process name length).
  const appName = `vlsig${process.pid % 1_000_000}`;
  const { agent, file, bao, agentIds } = await startInjectedAgent(t, appName);
  // the fixture's app container sets runAsUser 1234 on itself: the agent takes it
  assert.deepEqual(agentIds, { uid: 1234, gid: 1000 });
  const app = await startApp(t, appName, file, agentIds);

  await kvPut(bao, "secret", "app", { greeting: "hello again" });
  await waitUntil(
    "the app's SIGHUP",
    async () => (/got SIGHUP/.test(app.output()) ? true : undefined),
    WAIT_MS,
  );
  assert.equal(readFileSync(file, "utf8"), "hello again");
  assert.equal(app.hasExited, false, "SIGHUP was handled, not fatal");
  await waitUntil("the agent's log of the signal", () => logged(agent, /app signalled/), WAIT_MS);
});

/**
 * What a real pod showed: the checkout example's app runs as uid 10001 and
 * the agent, at the injector's default uid 100, got EPERM. The webhook now
 * runs the agent as the app's uid, and the app (same uid, file mode 0640)
 * reads what it rendered.
 */
test("the checkout example's security context: the agent runs as the app's uid 10001 and its SIGHUP arrives", async (t) => {
  const appName = `vlsid${process.pid % 1_000_000}`;
  const { agent, file, bao, agentIds, warnings } = await startInjectedAgent(
    t,
    appName,
    {},
    {
      runAsNonRoot: true,
      runAsUser: APP.uid,
      runAsGroup: APP.gid,
      fsGroup: APP.gid,
    },
  );
  assert.deepEqual(agentIds, APP);
  assert.deepEqual(warnings, []);
  const app = await startApp(t, appName, file, APP);

  await kvPut(bao, "secret", "app", { greeting: "hello again" });
  await waitUntil(
    "the app's SIGHUP",
    async () => (/got SIGHUP, read: hello again/.test(app.output()) ? true : undefined),
    WAIT_MS,
  );
  await waitUntil("the agent's log of the signal", () => logged(agent, /app signalled/), WAIT_MS);
  assert.doesNotMatch(agent.output(), /SIGNAL_NOT_PERMITTED/);
});

test("an agent-run-as-user of another uid: a warning at admission, then a clear error in the agent, which keeps rendering", async (t) => {
  const appName = `vlsiu${process.pid % 1_000_000}`;
  const { agent, file, bao, agentIds, warnings } = await startInjectedAgent(
    t,
    appName,
    { "agent-run-as-user": "100" },
    { runAsUser: APP.uid, runAsGroup: APP.gid },
  );
  assert.equal(agentIds.uid, 100);
  assert.ok(
    warnings.some((w) => w.includes("the agent runs as uid 100") && w.includes("uid 10001")),
    warnings.join("\n"),
  );
  const app = await startApp(t, appName, file, APP);

  await kvPut(bao, "secret", "app", { greeting: "S3cond-Pa55" });
  await waitUntil(
    "the agent's signal error",
    () => logged(agent, /app not signalled: not permitted/),
    WAIT_MS,
  );
  const line = agent
    .output()
    .split("\n")
    .find((l) => l.includes("app not signalled"))!;
  assert.match(line, /SIGNAL_NOT_PERMITTED/);
  assert.match(line, new RegExp(`\\(\\\\?"${appName}\\\\?"\\)`));
  assert.match(line, /runs as uid 10001 and the agent as uid 100/);
  assert.match(line, /agent-run-as-user: \\?"10001\\?"/);
  assert.doesNotMatch(agent.output(), /S3cond-Pa55/, "no secret value in the agent's output");
  assert.equal(readFileSync(file, "utf8"), "S3cond-Pa55");

  // still serving: the next change is rendered too
  await kvPut(bao, "secret", "app", { greeting: "Th1rd-Pa55" });
  await waitUntil(
    "the next render",
    async () => (readFileSync(file, "utf8") === "Th1rd-Pa55" ? true : undefined),
    WAIT_MS,
  );
  assert.equal(agent.hasExited, false);
  assert.doesNotMatch(app.output(), /got SIGHUP/);
});
