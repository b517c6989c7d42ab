import { request } from "node:https";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chartIdentity } from "../../support/cluster/chart-identity.ts";
import { testCluster } from "../../support/cluster/client.ts";
import { spawnTracked, waitUntil, type TrackedProcess } from "../../support/processes.ts";
import { httpsRequest } from "./https.ts";
import { postReview } from "./https.ts";
import { admissionReview, annotatedPod } from "./reviews.ts";
import { tlsFixture, type TlsFixture } from "./tls-fixture.ts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BIN = fileURLToPath(new URL("../../../deploy/cli/bin.ts", import.meta.url));

function startWebhook(env: Record<string, string>, args: string[] = []): TrackedProcess {
  return spawnTracked(process.execPath, [BIN, "webhook", ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
  });
}

async function listeningPort(proc: TrackedProcess): Promise<number> {
  return waitUntil(
    "the webhook to listen",
    async () => {
      for (const line of proc.output().split("\n")) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line);
        if (entry.msg === "webhook listening") return entry.port as number;
      }
      if (proc.hasExited) throw new Error(`webhook exited: ${proc.output()}`);
      return undefined;
    },
    // a bound on a hang, not a timing claim: from the sources on a loaded
    // 2-core machine the webhook has taken 12 s to start
    60_000,
  );
}

describe("vaultlet webhook (the command)", () => {
  let fx: TlsFixture;
  before(async () => {
    fx = await tlsFixture();
  });
  after(async () => {
    await fx.cleanup();
  });

  test("serves over HTTPS with settings from env and flags, writes JSON logs, and on SIGTERM finishes the request in flight and exits 0", async () => {
    const proc = startWebhook(
      {
        AGENT_INJECT_VAULT_ADDR: "https://vault.vault.svc:8200",
        AGENT_INJECT_TLS_CERT_FILE: fx.certFile,
        AGENT_INJECT_TLS_KEY_FILE: fx.keyFile,
        AGENT_INJECT_LOG_LEVEL: "debug",
      },
      ["-listen=127.0.0.1:0", "-tls-min-version=tls13"],
    );
    try {
      const port = await listeningPort(proc);
      const url = `https://127.0.0.1:${port}`;
      const ca = fx.ca.certPem;
      const res = await postReview(url, ca, admissionReview({ object: annotatedPod() }));
      assert.equal(res.json().response.allowed, true);
      assert.equal(res.json().response.patchType, "JSONPatch");

      const body = JSON.stringify(admissionReview({ object: annotatedPod() }));
      let finish = () => {};
      let sent: () => void = () => {};
      const headersSent = new Promise<void>((r) => (sent = r));
      const inFlight = new Promise<number>((resolve, reject) => {
        const req = request(
          new URL("/mutate", url),
          {
            method: "POST",
            ca,
            agent: false,
            headers: {
              "content-type": "application/json",
              "content-length": String(body.length),
              // the server answers 100 Continue once it has parsed the
              // headers: from then on the request is in flight, not idle
              expect: "100-continue",
            },
          },
          (r) => {
            r.resume();
            r.on("end", () => resolve(r.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.on("continue", () => req.write(body.slice(0, 100), () => sent()));
        req.flushHeaders();
        finish = () => req.end(body.slice(100));
      });
      await headersSent;
      proc.child.kill("SIGTERM");
      await waitUntil(
        "shutdown to start",
        async () => (proc.output().includes("shutting down") ? true : undefined),
        5000,
      );
      await assert.rejects(
        postReview(url, ca, admissionReview({ object: annotatedPod() })),
        "new connections are refused",
      );
      finish();
      assert.equal(await inFlight, 200);
      await proc.exited();
      assert.equal(proc.child.exitCode, 0, proc.output());
      const lines = proc
        .output()
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"));
      assert.ok(lines.length >= 3);
      for (const line of lines) assert.equal(typeof JSON.parse(line).level, "string");
    } finally {
      await proc.stop();
    }
  });

  test("automatic TLS: the command patches the caBundle through the kubeconfig's API server, with the chart's RBAC, and serves a cert it trusts", async () => {
    const cluster = testCluster();
    const id = await chartIdentity(cluster, "webhook-cli");
    const kubeconfig = join(fx.dir, "kubeconfig");
    await writeFile(kubeconfig, id.kubeconfigText(), { mode: 0o600 });
    const object = async (kind: string, name: string, ns?: string) =>
      cluster.getJson<Obj>(["get", kind, name, ...(ns ? ["-n", ns] : [])]);
    await cluster.apply({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "MutatingWebhookConfiguration",
      metadata: { name: id.webhookConfigName },
      webhooks: [
        {
          name: "pods.vaultlet.io",
          admissionReviewVersions: ["v1"],
          sideEffects: "None",
          failurePolicy: "Ignore",
          // never called: it selects no namespace
          namespaceSelector: { matchLabels: { "vaultlet-test/never": "true" } },
          clientConfig: {
            service: { name: "vaultlet", namespace: id.namespace, path: "/mutate" },
          },
        },
      ],
    });
    const proc = startWebhook({
      KUBECONFIG: kubeconfig,
      NAMESPACE: id.namespace,
      POD_NAME: "vaultlet-0",
      AGENT_INJECT_VAULT_ADDR: "https://vault.vault.svc:8200",
      AGENT_INJECT_LISTEN: "127.0.0.1:0",
      AGENT_INJECT_TLS_AUTO: id.webhookConfigName,
      AGENT_INJECT_TLS_AUTO_HOSTS: `vaultlet.${id.namespace}.svc,127.0.0.1`,
      AGENT_INJECT_USE_LEADER_ELECTOR: "true",
    });
    try {
      const port = await listeningPort(proc);
      const mwc = await object("mutatingwebhookconfiguration", id.webhookConfigName);
      const caBundle = Buffer.from(mwc.webhooks[0].clientConfig.caBundle, "base64").toString();
      const ready = await httpsRequest({
        url: `https://127.0.0.1:${port}`,
        path: "/health/ready",
        ca: caBundle,
      });
      assert.equal(ready.status, 200);
      const lease = await object("lease", "vaultlet-webhook-leader", id.namespace);
      assert.equal(lease.spec.holderIdentity, "vaultlet-0");
      assert.ok(await object("secret", "vaultlet-webhook-certs", id.namespace));
      const res = await postReview(
        `https://127.0.0.1:${port}`,
        caBundle,
        admissionReview({ object: annotatedPod() }),
      );
      assert.equal(res.json().response.patchType, "JSONPatch");
      await proc.stop();
      assert.equal(proc.child.exitCode, 0, proc.output());
      const released = await object("lease", "vaultlet-webhook-leader", id.namespace);
      assert.ok(!released.spec.holderIdentity, "lease released");
    } finally {
      await proc.stop();
      await id.remove();
    }
  });

  test("without a Vault address it exits 2 naming the variable", async () => {
    const proc = startWebhook({
      AGENT_INJECT_TLS_CERT_FILE: fx.certFile,
      AGENT_INJECT_TLS_KEY_FILE: fx.keyFile,
    });
    await proc.exited();
    assert.equal(proc.child.exitCode, 2);
    assert.match(proc.output(), /AGENT_INJECT_VAULT_ADDR/);
  });

  test("without TLS settings it exits 2 naming the variables", async () => {
    const proc = startWebhook({ AGENT_INJECT_VAULT_ADDR: "https://vault:8200" });
    await proc.exited();
    assert.equal(proc.child.exitCode, 2);
    assert.match(
      proc.output(),
      /AGENT_INJECT_TLS_CERT_FILE and AGENT_INJECT_TLS_KEY_FILE, or AGENT_INJECT_TLS_AUTO/,
    );
  });

  test("an unknown flag exits 2", async () => {
    const proc = startWebhook({}, ["-no-such-flag=1"]);
    await proc.exited();
    assert.equal(proc.child.exitCode, 2);
    assert.match(proc.output(), /unknown flag -no-such-flag/);
  });
});
