/**
 * The checkout example (deploy/examples/kubernetes/checkout.yaml) in real
 * pods: injected by `vaultlet inject` (the webhook's own code), its agent
 * from vaultlet's agent image, its app from a test image built with the same
 * builder, two replicas, a real OpenBao set up by the example's own scripts
 * (deploy/examples/vault/*.sh with the `bao` CLI) and a real PostgreSQL.
 * What a user would see: both pods Ready, the files in tmpfs with the
 * requested modes, a rendered login PostgreSQL accepts, and an app running
 * as uid 10001 (not the agent's default 100) that receives SIGHUP when the KV
 * secret changes and when its database credentials are replaced.
 *
 * Changes to the test's copy of the example, and why:
 * - its own namespace (the role's bound subject follows it);
 * - the app image is the test app (test/cluster/app/checkout.mjs);
 * - the static-secret render interval is 5s instead of 1m, so the KV change
 *   shows within the test's bounds;
 * - the pods stay on the pod network and reach OpenBao through a relay on
 *   the cluster's bridge address: with hostNetwork the two replicas would
 *   claim the same host ports (the app's 8080, the agent's ops port) on the
 *   single node, and the second could never be scheduled.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { NODE_BIN } from "../../deploy/images/layout.ts";
import { CHECKOUT_APP_IMAGE, ensureCheckoutAppImage } from "../support/cluster/app-image.ts";
import type { PodStatus, TestCluster } from "../support/cluster/client.ts";
import { testCluster } from "../support/cluster/client.ts";
import { componentLog } from "../support/cluster/layout.ts";
import { ensureVaultletImage } from "../support/cluster/vaultlet-images.ts";
import { startRelay, type Relay } from "../support/cluster/relay.ts";
import { runExampleVaultScripts } from "../deploy/example-vault.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import { rebindRole, trustClusterJwt } from "../support/cluster/vault-trust.ts";
import {
  configureDatabaseEngine,
  pgLogin,
  startPostgres,
  type PostgresServer,
} from "../support/postgres.ts";
import { vaultletInject } from "../support/cluster/inject.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "deploy/examples");
const A = "vault.hashicorp.com/";
const APP_UID = 10001;
/** the injector's default agent uid (webhook/settings.ts) */
const AGENT_DEFAULT_UID = 100;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface AppFile {
  file: string;
  mode?: string;
  uid?: number;
  gid?: number;
  bytes?: number;
  sha?: string;
  error?: string;
}
interface AppLine {
  event: "start" | "SIGHUP";
  hups: number;
  uid: number;
  gid: number;
  files: AppFile[];
}

let cluster: TestCluster;
let ns: string;
let bao: OpenBaoServer;
let pg: PostgresServer;
let relay: Relay;
let pods: string[] = [];

async function setUpVault(): Promise<void> {
  bao = await startOpenBao();
  pg = await startPostgres();
  await runExampleVaultScripts(bao);
  // database.sh wants PostgreSQL on port 5432 with TLS; the test's own server
  // takes its place, with short leases so that a replacement comes within the test
  await bao.api("DELETE", "sys/mounts/database");
  await configureDatabaseEngine(bao, pg, { role: "checkout", defaultTtl: "15s", maxTtl: "30s" });
  await trustClusterJwt(bao, cluster);
  await rebindRole(bao, "kubernetes-jwt", "checkout", {
    bound_subject: `system:serviceaccount:${ns}:checkout`,
  });
  await bao.kvPut("secret", "shop/checkout", { currency: "EUR", api_key: "k-one" });
}

/** The example, made to run here (see the module comment), before injection. */
function checkoutCopy(): string {
  const docs = parseAllDocuments(
    readFileSync(join(EXAMPLES, "kubernetes/checkout.yaml"), "utf8"),
  ).map((d) => d.toJS() as Obj);
  const kept = docs.filter((d) => d.kind !== "Namespace");
  for (const d of kept) d.metadata.namespace = ns;
  const template = kept.find((d) => d.kind === "Deployment")!.spec.template;
  template.metadata.annotations[`${A}template-static-secret-render-interval`] = "5s";
  const app = template.spec.containers[0];
  app.image = CHECKOUT_APP_IMAGE;
  app.imagePullPolicy = "Never";
  return kept.map((d) => stringify(d)).join("---\n");
}

async function diagnostics(): Promise<string> {
  const all = await Promise.all(pods.map((p) => cluster.podDiagnostics(ns, p)));
  return `${all.join("\n")}\nkube-controller-manager log: ${componentLog(cluster.layout, "kube-controller-manager")}`;
}

async function appLines(pod: string): Promise<AppLine[]> {
  const text = await cluster.kubectl(["logs", "-n", ns, pod, "-c", "checkout"]);
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as AppLine);
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      assert.fail(`${what}: not seen after ${timeoutMs / 1000} s\n${await diagnostics()}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * Runs node in the app container (the image has no shell) and returns its
 * stdout; started by its own name, not as "checkout", so that the agent's
 * SIGHUP for the app cannot kill it.
 */
function inApp(pod: string, script: string): Promise<string> {
  return cluster.kubectl([
    ...["exec", "-n", ns, pod, "-c", "checkout", "--"],
    ...[NODE_BIN, "-e", script],
  ]);
}

/** The pod's rendered login, and the fingerprint the app logs for the same file. */
async function renderedLogin(
  pod: string,
): Promise<{ username: string; password: string; sha: string }> {
  const text = await inApp(
    pod,
    'process.stdout.write(require("fs").readFileSync("/vault/secrets/db.env"))',
  );
  const field = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(text)?.[1] ?? "";
  const sha = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return { username: field("DB_USER"), password: field("DB_PASSWORD"), sha };
}

/**
 * Logs in to PostgreSQL with the pod's rendered login; returns the user.
 * The agent replaces the credentials every ~20 s and OpenBao revokes the old
 * ones when their lease ends: a login read just before a replacement can be
 * dead by the time it is tried (a loaded machine widens that window). Such a
 * failure counts only when db.env still holds the same login afterwards.
 */
async function loginWorks(pod: string): Promise<{ username: string; sha: string }> {
  for (let attempt = 1; ; attempt++) {
    const login = await renderedLogin(pod);
    try {
      assert.equal(await pgLogin(pg, login), login.username);
      return login;
    } catch (err) {
      const now = await renderedLogin(pod);
      if (now.sha === login.sha || attempt === 3) throw err;
    }
  }
}

const fileOf = (line: AppLine, name: string) => line.files.find((f) => f.file.endsWith(name))!;

before(async () => {
  cluster = testCluster();
  await ensureVaultletImage(cluster, "agent");
  ns = await cluster.createNamespace("shop");
  await setUpVault();
  relay = await startRelay(cluster.spec.gateway, {
    host: "127.0.0.1",
    port: Number(new URL(bao.address).port),
  });
  await ensureCheckoutAppImage(cluster);
  const { stdout: manifest } = await vaultletInject(checkoutCopy(), `http://${relay.address}`);
  await cluster.apply(manifest, ns);
  const status = await cluster
    .kubectl(["rollout", "status", "deployment/checkout", "-n", ns, "--timeout=240s"])
    .catch((err: Error) => err.message);
  const list = await cluster.getJson<{ items: PodStatus[] }>([
    ...["get", "pods", "-n", ns, "-l", "app=checkout"],
  ]);
  pods = list.items.map((p) => p.metadata.name);
  assert.match(
    status,
    /successfully rolled out/,
    `checkout did not roll out:\n${status}\n${await diagnostics()}`,
  );
});

after(async () => {
  await relay?.stop();
  await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

test("both checkout replicas become Ready, each with its agent as a native sidecar", async () => {
  assert.equal(pods.length, 2);
  for (const name of pods) {
    const pod = await cluster.waitForPod(ns, name, "Ready", 60_000);
    const spec = (await cluster.getJson<{ spec: Obj }>(["get", "pod", "-n", ns, name])).spec;
    const agent = spec.initContainers.find((c: Obj) => c.name === "vault-agent");
    assert.equal(agent.restartPolicy, "Always");
    assert.equal(pod.status.phase, "Running");
  }
});

test("the files are rendered from OpenBao into tmpfs with the requested modes, read by the app as uid 10001", async () => {
  for (const pod of pods) {
    const seen = JSON.parse(
      await inApp(
        pod,
        `const fs = require("fs");
         const mount = fs.readFileSync("/proc/mounts", "utf8").split("\\n")
           .map((l) => l.split(" ")).find((f) => f[1] === "/vault/secrets");
         const mode = (f) => (fs.statSync(f).mode & 0o777).toString(8).padStart(4, "0");
         process.stdout.write(JSON.stringify({ fstype: mount && mount[2],
           db: mode("/vault/secrets/db.env"), config: mode("/vault/secrets/config.json"),
           currency: JSON.parse(fs.readFileSync("/vault/secrets/config.json")).currency }));`,
      ),
    ) as { fstype?: string; db: string; config: string; currency: string };
    assert.equal(seen.fstype, "tmpfs", `${pod}: /vault/secrets is not a tmpfs`);
    assert.equal(seen.db, "0440", "agent-inject-perms-db.env");
    assert.equal(seen.config, "0640", "vaultlet's default mode (agent/output/write.ts)");
    assert.equal(seen.currency, "EUR", "config.json holds the KV secret's data");
    const start = (await appLines(pod)).find((l) => l.event === "start");
    assert.ok(start, `${pod}: the app logged no start line`);
    assert.equal(start.uid, APP_UID);
    assert.notEqual(start.uid, AGENT_DEFAULT_UID);
    for (const f of start.files) assert.equal(f.error, undefined, `${pod}: ${f.file} at start`);
  }
});

test("PostgreSQL accepts the login each pod rendered, and the pods hold different credentials", async () => {
  const users: string[] = [];
  for (const pod of pods) {
    const { username } = await loginWorks(pod);
    assert.ok(username.length > 0, `${pod}: db.env has no DB_USER`);
    users.push(username);
  }
  assert.notEqual(users[0], users[1]);
});

test("the app, as uid 10001, receives SIGHUP from its agent when the KV secret changes", async () => {
  const before = new Map<string, string | undefined>();
  for (const pod of pods) {
    const start = (await appLines(pod)).find((l) => l.event === "start")!;
    before.set(pod, fileOf(start, "config.json").sha);
  }
  await bao.kvPut("secret", "shop/checkout", { currency: "CHF", api_key: "k-two" });
  for (const pod of pods) {
    const hup = await waitFor(`${pod}: a SIGHUP after the KV change`, 90_000, async () =>
      (await appLines(pod)).find(
        (l) => l.event === "SIGHUP" && fileOf(l, "config.json").sha !== before.get(pod),
      ),
    );
    assert.equal(hup.uid, APP_UID);
    assert.equal(fileOf(hup, "config.json").mode, "0640");
  }
});

test("the app receives SIGHUP when its agent replaces the database credentials, and the new login works", async () => {
  for (const pod of pods) {
    const current = await renderedLogin(pod);
    // only what the app logs from now on: earlier SIGHUPs name older files
    const seen = (await appLines(pod)).length;
    // the role's max TTL is 30 s: the agent must fetch new credentials before then
    await waitFor(`${pod}: a SIGHUP after a database credential replacement`, 120_000, async () =>
      (await appLines(pod))
        .slice(seen)
        .find((l) => l.event === "SIGHUP" && fileOf(l, "db.env").sha !== current.sha),
    );
    const login = await loginWorks(pod);
    assert.notEqual(login.username, current.username, `${pod}: the same database user`);
  }
});
