/**
 * `npm run demo` end to end on the suite's cluster: the demo script runs as a
 * child process (it reuses the cluster test/scripts/test.sh started, and
 * leaves it up), and its printout is checked for what a user sees there:
 * `kubectl get pods`, the agent's and the app's own log lines, the rendered
 * files with their secret values hidden, the app's SIGHUPs, and a clean
 * cluster afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { testCluster } from "../support/cluster/client.ts";
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

/** Lines of a `kubectl get pods` table the demo printed after `$ kubectl get pods -n NS`. */
function podTable(output: string, ns: string): string[] {
  const at = output.indexOf(`$ kubectl get pods -n ${ns}\n`);
  assert.ok(at >= 0, `the demo shows kubectl get pods -n ${ns}`);
  const lines = output.slice(at).split("\n").slice(1);
  const table: string[] = [];
  for (const line of lines) {
    const row = /^\s+\| (.*)$/.exec(line);
    if (!row) break;
    table.push(row[1]!);
  }
  return table;
}

test("the demo installs the chart, runs the checkout example in real pods, shows their logs and the app's SIGHUPs, and cleans up", async () => {
  const cluster = testCluster();
  const scratch = mkdtempSync(join(tmpdir(), "vaultlet-demo-test-"));
  try {
    const secretsFile = join(scratch, "secrets.json");
    const { code, output } = await runDemo({
      ...process.env,
      VAULTLET_DEMO_SECRETS_FILE: secretsFile,
    });
    assert.equal(code, 0, output);
    for (let n = 1; n <= 10; n++) assert.match(output, new RegExp(`^\\[${n}/10\\] `, "m"));
    assert.match(output, /reusing the cluster that is up in /);
    assert.match(output, /Kubernetes v1\.37\.\d+ at https:\/\//);

    // the chart's webhook: two Running pods, one leader, its TLS Secret and caBundle
    const webhook = podTable(output, "vaultlet");
    assert.match(webhook[0]!, /^NAME\s+READY\s+STATUS/);
    const webhookPods = webhook.slice(1).map((l) => l.split(/\s+/));
    assert.equal(webhookPods.length, 2, webhook.join("\n"));
    for (const [, ready, status] of webhookPods)
      assert.deepEqual([ready, status], ["1/1", "Running"]);
    const leader = /leader \(Lease vaultlet-webhook-leader\): (\S+)/.exec(output)?.[1];
    assert.ok(
      webhookPods.some(([name]) => name === leader),
      `leader ${leader} is a webhook pod`,
    );
    assert.match(
      output,
      /vaultlet-webhook-certs created by the leader: ca\.crt, ca\.key, tls\.crt, tls\.key/,
    );
    assert.match(output, /caBundle written into MutatingWebhookConfiguration "vaultlet"/);

    // the checkout example: two pods with the app and its native sidecar, both ready
    const shop = podTable(output, "shop")
      .slice(1)
      .map((l) => l.split(/\s+/));
    assert.equal(shop.length, 2);
    for (const [name, ready, status] of shop) {
      assert.match(name!, /^checkout-/);
      assert.deepEqual([ready, status], ["2/2", "Running"]);
    }
    assert.match(output, /\+ native sidecar vault-agent: vaultlet agent -config-env=VAULT_CONFIG/);
    assert.match(
      output,
      /\+ volume vaultlet-token: projected service-account token, audience "vault"/,
    );
    assert.match(output, /~ shareProcessNamespace: true/);

    // the containers' own logs, as kubectl logs prints them
    assert.match(output, /\$ kubectl logs -n shop checkout-\S+ -c vault-agent/);
    assert.match(output, /\| \{"level":"info".*"msg":"logged in to Vault"\}/);
    assert.match(output, /\| \{"level":"info".*"msg":"all templates rendered"\}/);
    assert.match(output, /\| \{"event":"start","hups":0,"uid":10001,/);

    // both files rendered, secret values shown only as fingerprints
    assert.match(output, /\| DB_USER=v-\S+/);
    assert.match(output, /\| DB_PASSWORD=<hidden: \d+ chars, sha256 [0-9a-f]{8}>/);
    assert.match(output, /"payment_api_key": "<hidden: \d+ chars, sha256 [0-9a-f]{8}>"/);
    assert.match(output, /"currency": "EUR"/);

    // the KV change: each pod's app logs a SIGHUP, as uid 10001
    const hups = [...output.matchAll(/\| \{"event":"SIGHUP","hups":\d+,"uid":10001,/g)];
    assert.equal(hups.length, 2, "the app's own SIGHUP line, for each pod, after the KV change");
    for (const [name] of shop) {
      assert.match(
        output,
        new RegExp(`${name}: checkout app received SIGHUP #\\d+, running as uid 10001`),
      );
    }
    // the database login replaced, and both logins worked
    const dbHup = /db\.env re-rendered[\s\S]*?checkout app received SIGHUP #(\d+)/.exec(output);
    assert.ok(Number(dbHup?.[1]) >= 2, "a SIGHUP after the database login was replaced");
    const users = [...output.matchAll(/current_user = (v-\S+)/g)].map((m) => m[1]);
    assert.equal(users.length, 2, output);
    assert.notEqual(users[0], users[1]);
    assert.match(output, /db\.env re-rendered with a new login: (\S+) -> (\S+)/);

    // nothing secret printed
    const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as string[];
    assert.ok(secrets.length >= 5, "the demo handed over the values it handled");
    assertNoSecretsIn(output, secrets);

    // cleaned up: the release and namespaces are going, OpenBao is stopped, the cluster stays
    assert.match(output, /helm uninstall vaultlet; namespaces shop and vaultlet deleted/);
    for (const ns of ["shop", "vaultlet"]) {
      const phase = await cluster
        .kubectl(["get", "namespace", ns, "-o", "jsonpath={.status.phase}"])
        .catch(() => "gone");
      assert.ok(["gone", "Terminating"].includes(phase), `namespace ${ns}: ${phase}`);
    }
    const hooks = await cluster.kubectl(["get", "mutatingwebhookconfiguration", "-o", "name"]);
    assert.doesNotMatch(hooks, /\/vaultlet$/m, "the release's webhook configuration is gone");
    const baoPid = Number(/dev server, pid (\d+)/.exec(output)?.[1]);
    assert.equal(alive(baoPid), false);
    assert.match(output, /the cluster \(VAULTLET_CLUSTER_DIR\) is left to whoever started it/);
    await cluster.kubectl(["get", "--raw", "/readyz"]);
    assert.match(output, /^Demo finished in [\d.]+ s\.$/m);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
