import { X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../../shared/log.ts";
import { defaultSettings } from "../../../webhook/settings.ts";
import { autoTlsSource } from "../../../webhook/tls/auto.ts";
import { SECRET_KEYS } from "../../../webhook/tls/authority.ts";
import { certInfo, isSignedBy, splitPem } from "../../../webhook/tls/certs.ts";
import { kubeApis } from "../../../webhook/tls/kube.ts";
import type { TlsMaterial } from "../../../webhook/tls/material.ts";
import { startWebhookServer } from "../../../webhook/server/server.ts";
import { chartIdentity, type ChartIdentity } from "../../support/cluster/chart-identity.ts";
import { testCluster, type TestCluster } from "../../support/cluster/client.ts";
import { waitUntil } from "../../support/processes.ts";
import { httpsRequest } from "../server/https.ts";

const HOSTS = [
  "vaultlet.vaultlet-system.svc",
  "vaultlet.vaultlet-system.svc.cluster.local",
  "127.0.0.1",
];
const LEASE = "vaultlet-webhook-leader";
const SECRET = "vaultlet-webhook-certs";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const logger = createLogger({ level: "silent" });

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let cluster: TestCluster;
const identities: ChartIdentity[] = [];

/**
 * A namespace with the chart's RBAC and the MutatingWebhookConfiguration its
 * ClusterRole names, created by the admin as `helm install` would (two
 * webhooks, so that the caBundle patch must cover each).
 */
async function installed(prefix: string): Promise<ChartIdentity> {
  const id = await chartIdentity(cluster, prefix);
  identities.push(id);
  await cluster.apply({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name: id.webhookConfigName },
    webhooks: ["pods.vaultlet.io", "pods-2.vaultlet.io"].map((n) => ({
      name: n,
      admissionReviewVersions: ["v1", "v1beta1"],
      sideEffects: "None",
      failurePolicy: "Ignore",
      // never called: it selects no namespace
      namespaceSelector: { matchLabels: { "vaultlet-test/never": "true" } },
      clientConfig: { service: { name: "vaultlet", namespace: id.namespace, path: "/mutate" } },
    })),
  });
  return id;
}

/** The object as the admin reads it, or undefined when it does not exist. */
async function get(kind: string, name: string, ns?: string): Promise<Obj | undefined> {
  const args = ["get", kind, name, ...(ns ? ["-n", ns] : [])];
  return cluster.getJson<Obj>(args).catch((err: Error) => {
    if (/NotFound/.test(err.message)) return undefined;
    throw err;
  });
}

async function bundleOf(id: ChartIdentity): Promise<string[]> {
  const cfg = (await get("mutatingwebhookconfiguration", id.webhookConfigName))!;
  return cfg.webhooks.map((w: { clientConfig: { caBundle?: string } }) =>
    Buffer.from(w.clientConfig.caBundle ?? "", "base64").toString("utf8"),
  );
}

/** A Lease another replica holds, renewed `renewTime` (as the API server's MicroTime). */
async function heldLease(id: ChartIdentity, holder: string, renewTime: Date): Promise<void> {
  await cluster.apply(
    {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: LEASE, namespace: id.namespace },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: 15,
        renewTime: renewTime.toISOString().replace("Z", "000Z"),
      },
    },
    id.namespace,
  );
}

function common(id: ChartIdentity) {
  return {
    apis: kubeApis(id.kubeConfig()),
    namespace: id.namespace,
    webhookConfigName: id.webhookConfigName,
    hosts: HOSTS,
    useLeaderElection: true,
    logger,
  };
}

/** A clock the test moves forward. */
function clock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => (offset += ms) };
}

describe("automatic TLS against the test cluster's API server, with the chart's RBAC alone", () => {
  before(() => {
    cluster = testCluster();
  });
  after(async () => {
    await Promise.all(identities.map((id) => id.remove()));
  });

  test("leader creates the pair, shares it in a Secret and patches the caBundle of every webhook", async () => {
    const id = await installed("tls-leader");
    const updates: TlsMaterial[] = [];
    const leader = autoTlsSource({ ...common(id), identity: "replica-a" });
    await leader.start((m) => updates.push(m));
    try {
      assert.equal(leader.isLeader(), true);
      const lease = (await get("lease", LEASE, id.namespace))!;
      assert.equal(lease.spec.holderIdentity, "replica-a");
      assert.match(lease.spec.renewTime, /\.\d{6}Z$/);
      const secret = (await get("secret", SECRET, id.namespace))!;
      assert.deepEqual(
        Object.keys(secret.data).sort(),
        [SECRET_KEYS.caCert, SECRET_KEYS.caKey, SECRET_KEYS.cert, SECRET_KEYS.key].sort(),
      );
      const caPem = Buffer.from(secret.data[SECRET_KEYS.caCert], "base64").toString("utf8");
      const served = leader.current()!;
      assert.equal(updates.length, 1);
      assert.equal(updates[0]!.certPem, served.certPem);
      assert.ok(isSignedBy(served.certPem, caPem));
      assert.deepEqual([...certInfo(served.certPem).dnsNames].sort(), [...HOSTS].sort());
      const info = certInfo(served.certPem);
      assert.ok(info.notAfter.getTime() - info.notBefore.getTime() <= DAY + 2 * 60_000);
      const caInfo = certInfo(caPem);
      assert.ok(caInfo.notAfter.getTime() - Date.now() > 9 * 365 * DAY);
      for (const bundle of await bundleOf(id)) assert.equal(bundle, caPem);
      // A second round changes nothing: no new certificate, no new patch.
      const patchesBefore = id.requests.filter((r) => r.method === "PATCH").length;
      await leader.sync();
      assert.equal(updates.length, 1);
      assert.equal(id.requests.filter((r) => r.method === "PATCH").length, patchesBefore);
    } finally {
      await leader.stop();
    }
    assert.ok(
      !(await get("lease", LEASE, id.namespace))!.spec.holderIdentity,
      "lease released on stop",
    );
  });

  test("follower waits for the Secret, then serves the leader's certificate", async () => {
    const id = await installed("tls-follower");
    // Someone else holds a fresh lease but has not written the Secret yet.
    await heldLease(id, "replica-x", new Date());
    const follower = autoTlsSource({ ...common(id), identity: "replica-b" });
    const updates: TlsMaterial[] = [];
    await follower.start((m) => updates.push(m));
    try {
      assert.equal(follower.isLeader(), false);
      assert.equal(follower.current(), undefined);
      assert.equal(await get("secret", SECRET, id.namespace), undefined);
      assert.deepEqual(await bundleOf(id), ["", ""], "a follower never touches the caBundle");

      // the holder stopped renewing long ago
      await heldLease(id, "replica-x", new Date("2000-01-01T00:00:00Z"));
      const leader = autoTlsSource({ ...common(id), identity: "replica-a" });
      await leader.start(() => {});
      try {
        assert.equal(leader.isLeader(), true, "an expired lease is taken over");
        assert.equal((await get("lease", LEASE, id.namespace))!.spec.leaseTransitions, 1);
        await follower.sync();
        assert.equal(follower.isLeader(), false);
        assert.equal(follower.current()?.certPem, leader.current()!.certPem);
        assert.equal(updates.length, 1);
      } finally {
        await leader.stop();
      }
    } finally {
      await follower.stop();
    }
  });

  test("two replicas racing for a new lease: exactly one leads (the other gets 409)", async () => {
    const id = await installed("tls-race");
    const a = autoTlsSource({ ...common(id), identity: "replica-a" });
    const b = autoTlsSource({ ...common(id), identity: "replica-b" });
    await Promise.all([a.start(() => {}), b.start(() => {})]);
    try {
      assert.equal([a.isLeader(), b.isLeader()].filter(Boolean).length, 1);
      await a.sync();
      await b.sync();
      assert.equal(a.current()!.certPem, b.current()!.certPem);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test("the leaf is renewed before it expires and the follower picks up the new one", async () => {
    const id = await installed("tls-renew");
    const t = clock();
    const leader = autoTlsSource({ ...common(id), identity: "replica-a", now: t.now });
    const follower = autoTlsSource({ ...common(id), identity: "replica-b", now: t.now });
    const followerUpdates: TlsMaterial[] = [];
    await leader.start(() => {});
    await follower.start((m) => followerUpdates.push(m));
    try {
      const firstLeaf = leader.current()!.certPem;
      const caPem = (await bundleOf(id))[0]!;
      t.advance(12 * HOUR);
      await leader.sync();
      assert.equal(
        leader.current()!.certPem,
        firstLeaf,
        "half-way through its life the leaf is kept",
      );
      t.advance(5 * HOUR); // 17 h: less than a third of 24 h left
      await leader.sync();
      const secondLeaf = leader.current()!.certPem;
      assert.notEqual(secondLeaf, firstLeaf);
      assert.ok(isSignedBy(secondLeaf, caPem), "same CA signs the renewed leaf");
      assert.equal(
        (await bundleOf(id))[0],
        caPem,
        "caBundle unchanged when only the leaf is renewed",
      );
      await follower.sync();
      assert.deepEqual(
        followerUpdates.map((m) => m.certPem),
        [firstLeaf, secondLeaf],
      );
    } finally {
      await leader.stop();
      await follower.stop();
    }
  });

  test("CA rotation keeps the old CA beside the new one in the caBundle", async () => {
    const id = await installed("tls-rotate");
    const t = clock();
    const source = autoTlsSource({
      ...common(id),
      identity: "replica-a",
      caValidityMs: 3 * DAY,
      now: t.now,
    });
    await source.start(() => {});
    try {
      const oldCa = await secretPem(id, SECRET_KEYS.caCert);
      t.advance(2 * DAY + HOUR); // under a third of the CA's life left
      const before = id.requests.length;
      await source.sync();
      const newCa = await secretPem(id, SECRET_KEYS.caCert);
      assert.notEqual(newCa, oldCa);
      assert.equal(await secretPem(id, SECRET_KEYS.previousCa), oldCa);
      for (const bundle of await bundleOf(id)) assert.deepEqual(splitPem(bundle), [newCa, oldCa]);
      assert.ok(isSignedBy(source.current()!.certPem, newCa));
      // The new CA reached the webhook configuration before the Secret that followers read.
      const writes = id.requests
        .slice(before)
        .filter((r) => r.method !== "GET")
        .map((r) => `${r.method} ${r.path.split("?")[0]!.split("/").at(-2)}`);
      const lastSecretWrite = writes.lastIndexOf("PUT secrets");
      assert.ok(lastSecretWrite > 0, writes.join(", "));
      assert.equal(writes[lastSecretWrite - 1], "PATCH mutatingwebhookconfigurations");
      // Once every leaf the old CA signed has expired, the old CA leaves the bundle.
      t.advance(DAY + 2 * HOUR);
      await source.sync();
      const current = await secretPem(id, SECRET_KEYS.caCert);
      for (const bundle of await bundleOf(id)) assert.deepEqual(splitPem(bundle), [current]);
    } finally {
      await source.stop();
    }
  });

  test("a missing webhook configuration is named in the error and nothing is served", async () => {
    // the chart's RBAC names the configuration: here it was never created
    const id = await chartIdentity(cluster, "tls-missing");
    identities.push(id);
    const source = autoTlsSource({ ...common(id), useLeaderElection: false });
    await assert.rejects(
      source.sync(),
      new RegExp(
        `MutatingWebhookConfiguration "${id.webhookConfigName}" not found: AGENT_INJECT_TLS_AUTO`,
      ),
    );
    assert.equal(source.current(), undefined);
  });

  test("a single replica without leader election patches the caBundle and writes no Secret or Lease", async () => {
    const id = await installed("tls-single");
    const source = autoTlsSource({ ...common(id), useLeaderElection: false });
    await source.start(() => {});
    try {
      const calls = id.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, "")}`);
      const name = id.webhookConfigName;
      assert.deepEqual(calls, [
        `GET /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${name}`,
        `PATCH /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${name}`,
      ]);
      assert.equal(id.requests.at(-1)!.contentType, "application/json-patch+json");
      assert.ok(isSignedBy(source.current()!.certPem, (await bundleOf(id))[0]!));
      assert.equal(await get("secret", SECRET, id.namespace), undefined);
      assert.equal(await get("lease", LEASE, id.namespace), undefined);
    } finally {
      await source.stop();
    }
  });

  test("the webhook is not ready until the follower has the certificate, then serves it over HTTPS", async () => {
    const id = await installed("tls-server");
    await heldLease(id, "replica-a", new Date());
    const follower = autoTlsSource({ ...common(id), identity: "replica-b", syncEveryMs: 50 });
    const server = await startWebhookServer({
      settings: { ...defaultSettings(), vaultAddress: "https://vault.example:8200" },
      inject: () => ({ kind: "skip", reason: "not under test" }),
      tls: follower,
      logger,
      host: "127.0.0.1",
      port: 0,
    });
    try {
      assert.equal(server.isReady(), false);
      // A self-signed placeholder lets probes (the kubelet does not verify) connect meanwhile.
      const notReady = await httpsRequest({
        url: server.url,
        path: "/health/ready",
        insecure: true,
      });
      assert.equal(notReady.status, 503);
      const live = await httpsRequest({ url: server.url, path: "/healthz", insecure: true });
      assert.equal(live.status, 200);

      const leader = autoTlsSource({ ...common(id), identity: "replica-a", syncEveryMs: 50 });
      await leader.start(() => {});
      try {
        const caPem = (await bundleOf(id))[0]!;
        await waitUntil(
          "the follower to load the certificate",
          async () => (server.isReady() ? true : undefined),
          30_000,
          20,
        );
        const ready = await httpsRequest({ url: server.url, path: "/health/ready", ca: caPem });
        assert.equal(ready.status, 200);
        assert.equal(ready.peerCertificate?.fingerprint256, fingerprint(leader.current()!.certPem));
      } finally {
        await leader.stop();
      }
    } finally {
      await server.close(1000);
    }
  });

  test("the chart's RBAC refuses another release's configuration, and the error names the call and the fix", async () => {
    // another release's configuration: the ClusterRole names only this release's
    const id = await chartIdentity(cluster, "tls-denied");
    identities.push(id);
    const other = await installed("tls-other");
    const source = autoTlsSource({
      ...common(id),
      webhookConfigName: other.webhookConfigName,
      useLeaderElection: false,
    });
    await assert.rejects(source.sync(), (err: Error) => {
      assert.equal((err as { code?: string }).code, "TLS_AUTO_FORBIDDEN");
      assert.match(
        err.message,
        new RegExp(`refused get mutatingwebhookconfigurations/${other.webhookConfigName} \\(403`),
      );
      assert.match(err.message, /the chart's ClusterRole and Role grant exactly/);
      return true;
    });
    assert.equal(source.current(), undefined);
    assert.deepEqual(await bundleOf(other), ["", ""], "nothing was patched");
  });
});

async function secretPem(id: ChartIdentity, key: string): Promise<string> {
  const secret = (await get("secret", SECRET, id.namespace))!;
  return Buffer.from(secret.data[key], "base64").toString("utf8");
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
