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
import { startK8sApiStandin, type K8sApiStandin } from "../../support/k8s-api-standin.ts";
import { waitUntil } from "../../support/processes.ts";
import { httpsRequest } from "../server/https.ts";

const NS = "vaultlet-system";
const WEBHOOK = "vaultlet-webhook";
const HOSTS = [
  "vaultlet.vaultlet-system.svc",
  "vaultlet.vaultlet-system.svc.cluster.local",
  "127.0.0.1",
];
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const logger = createLogger({ level: "silent" });

function webhookConfig(name: string) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name },
    webhooks: ["pods.vaultlet.io", "pods-2.vaultlet.io"].map((n) => ({
      name: n,
      admissionReviewVersions: ["v1", "v1beta1"],
      sideEffects: "None",
      clientConfig: { service: { name: "vaultlet", namespace: NS, path: "/mutate" } },
    })),
  };
}

function bundleOf(api: K8sApiStandin, name = WEBHOOK): string[] {
  const cfg = api.get("mutatingwebhookconfigurations", name)!;
  return cfg.webhooks.map((w: { clientConfig: { caBundle?: string } }) =>
    Buffer.from(w.clientConfig.caBundle ?? "", "base64").toString("utf8"),
  );
}

/** A clock the test moves forward. */
function clock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => (offset += ms) };
}

describe("automatic TLS against the Kubernetes API stand-in", () => {
  let api: K8sApiStandin;
  before(async () => {
    api = await startK8sApiStandin();
  });
  after(async () => {
    await api.close();
  });

  test("leader creates the pair, shares it in a Secret and patches the caBundle of every webhook", async () => {
    const name = "leader-test";
    api.seed(webhookConfig(name));
    const updates: TlsMaterial[] = [];
    const leader = autoTlsSource({
      apis: kubeApis(api.kubeConfig()),
      namespace: NS,
      webhookConfigName: name,
      hosts: HOSTS,
      useLeaderElection: true,
      identity: "replica-a",
      leaseName: "lease-leader-test",
      secretName: "certs-leader-test",
      logger,
    });
    await leader.start((m) => updates.push(m));
    try {
      assert.equal(leader.isLeader(), true);
      const lease = api.get("leases", "lease-leader-test", NS)!;
      assert.equal(lease.spec.holderIdentity, "replica-a");
      assert.match(lease.spec.renewTime, /\.\d{6}Z$/);
      const secret = api.get("secrets", "certs-leader-test", NS)!;
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
      for (const bundle of bundleOf(api, name)) assert.equal(bundle, caPem);
      // A second round changes nothing: no new certificate, no new patch.
      const patchesBefore = api.requests.filter((r) => r.method === "PATCH").length;
      await leader.sync();
      assert.equal(updates.length, 1);
      assert.equal(api.requests.filter((r) => r.method === "PATCH").length, patchesBefore);
    } finally {
      await leader.stop();
    }
    assert.equal(
      api.get("leases", "lease-leader-test", NS)!.spec.holderIdentity,
      undefined,
      "lease released on stop",
    );
  });

  test("follower waits for the Secret, then serves the leader's certificate", async () => {
    const name = "follower-test";
    api.seed(webhookConfig(name));
    const common = {
      apis: kubeApis(api.kubeConfig()),
      namespace: NS,
      webhookConfigName: name,
      hosts: HOSTS,
      useLeaderElection: true,
      leaseName: "lease-follower-test",
      secretName: "certs-follower-test",
      logger,
    };
    // Someone else holds a fresh lease but has not written the Secret yet.
    api.seed({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "lease-follower-test", namespace: NS },
      spec: {
        holderIdentity: "replica-x",
        leaseDurationSeconds: 15,
        renewTime: new Date().toISOString().replace("Z", "000Z"),
      },
    });
    const follower = autoTlsSource({ ...common, identity: "replica-b" });
    const updates: TlsMaterial[] = [];
    await follower.start((m) => updates.push(m));
    try {
      assert.equal(follower.isLeader(), false);
      assert.equal(follower.current(), undefined);
      assert.equal(api.get("secrets", "certs-follower-test", NS), undefined);
      assert.deepEqual(bundleOf(api, name), ["", ""], "a follower never touches the caBundle");

      const lease = api.get("leases", "lease-follower-test", NS)!;
      lease.spec.renewTime = "2000-01-01T00:00:00.000000Z"; // the holder stopped renewing long ago
      const leader = autoTlsSource({ ...common, identity: "replica-a" });
      await leader.start(() => {});
      try {
        assert.equal(leader.isLeader(), true, "an expired lease is taken over");
        assert.equal(api.get("leases", "lease-follower-test", NS)!.spec.leaseTransitions, 1);
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
    const name = "race-test";
    api.seed(webhookConfig(name));
    const make = (identity: string) =>
      autoTlsSource({
        apis: kubeApis(api.kubeConfig()),
        namespace: NS,
        webhookConfigName: name,
        hosts: HOSTS,
        useLeaderElection: true,
        identity,
        leaseName: "lease-race-test",
        secretName: "certs-race-test",
        logger,
      });
    const a = make("replica-a");
    const b = make("replica-b");
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
    const name = "renew-test";
    api.seed(webhookConfig(name));
    const t = clock();
    const common = {
      apis: kubeApis(api.kubeConfig()),
      namespace: NS,
      webhookConfigName: name,
      hosts: HOSTS,
      useLeaderElection: true,
      leaseName: "lease-renew-test",
      secretName: "certs-renew-test",
      logger,
      now: t.now,
    };
    const leader = autoTlsSource({ ...common, identity: "replica-a" });
    const follower = autoTlsSource({ ...common, identity: "replica-b" });
    const followerUpdates: TlsMaterial[] = [];
    await leader.start(() => {});
    await follower.start((m) => followerUpdates.push(m));
    try {
      const firstLeaf = leader.current()!.certPem;
      const caPem = bundleOf(api, name)[0]!;
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
        bundleOf(api, name)[0],
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
    const name = "rotate-test";
    api.seed(webhookConfig(name));
    const t = clock();
    const source = autoTlsSource({
      apis: kubeApis(api.kubeConfig()),
      namespace: NS,
      webhookConfigName: name,
      hosts: HOSTS,
      useLeaderElection: true,
      identity: "replica-a",
      leaseName: "lease-rotate-test",
      secretName: "certs-rotate-test",
      caValidityMs: 3 * DAY,
      logger,
      now: t.now,
    });
    await source.start(() => {});
    try {
      const oldCa = secretPemFrom(api, "certs-rotate-test", SECRET_KEYS.caCert);
      t.advance(2 * DAY + HOUR); // under a third of the CA's life left
      await source.sync();
      const newCa = secretPemFrom(api, "certs-rotate-test", SECRET_KEYS.caCert);
      assert.notEqual(newCa, oldCa);
      assert.equal(secretPemFrom(api, "certs-rotate-test", SECRET_KEYS.previousCa), oldCa);
      for (const bundle of bundleOf(api, name)) assert.deepEqual(splitPem(bundle), [newCa, oldCa]);
      assert.ok(isSignedBy(source.current()!.certPem, newCa));
      // The new CA reached the webhook configuration before the Secret that followers read.
      const writes = api.requests
        .filter((r) => r.method !== "GET")
        .map((r) => `${r.method} ${r.path.split("/")[r.path.split("/").length - 2]}`);
      const lastSecretWrite = writes.lastIndexOf("PUT secrets");
      assert.equal(writes[lastSecretWrite - 1], "PATCH mutatingwebhookconfigurations");
      // Once every leaf the old CA signed has expired, the old CA leaves the bundle.
      t.advance(DAY + 2 * HOUR);
      await source.sync();
      for (const bundle of bundleOf(api, name))
        assert.deepEqual(splitPem(bundle), [
          secretPemFrom(api, "certs-rotate-test", SECRET_KEYS.caCert),
        ]);
    } finally {
      await source.stop();
    }
  });

  test("a missing webhook configuration is named in the error and nothing is served", async () => {
    const source = autoTlsSource({
      apis: kubeApis(api.kubeConfig()),
      namespace: NS,
      webhookConfigName: "no-such-config",
      hosts: HOSTS,
      useLeaderElection: false,
      logger,
    });
    await assert.rejects(
      source.sync(),
      /MutatingWebhookConfiguration "no-such-config" not found: AGENT_INJECT_TLS_AUTO/,
    );
    assert.equal(source.current(), undefined);
  });

  test("a single replica without leader election patches the caBundle and writes no Secret or Lease", async () => {
    const name = "single-test";
    api.seed(webhookConfig(name));
    const before = api.requests.length;
    const source = autoTlsSource({
      apis: kubeApis(api.kubeConfig()),
      namespace: NS,
      webhookConfigName: name,
      hosts: HOSTS,
      useLeaderElection: false,
      secretName: "certs-single-test",
      logger,
    });
    await source.start(() => {});
    try {
      const calls = api.requests
        .slice(before)
        .map((r) => `${r.method} ${r.path.replace(/\?.*$/, "")}`);
      assert.deepEqual(calls, [
        `GET /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${name}`,
        `PATCH /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${name}`,
      ]);
      assert.equal(api.requests.at(-1)!.contentType, "application/json-patch+json");
      assert.ok(isSignedBy(source.current()!.certPem, bundleOf(api, name)[0]!));
    } finally {
      await source.stop();
    }
  });

  test("the webhook is not ready until the follower has the certificate, then serves it over HTTPS", async () => {
    const name = "server-test";
    api.seed(webhookConfig(name));
    const common = {
      apis: kubeApis(api.kubeConfig()),
      namespace: NS,
      webhookConfigName: name,
      hosts: HOSTS,
      useLeaderElection: true,
      leaseName: "lease-server-test",
      secretName: "certs-server-test",
      syncEveryMs: 50,
      logger,
    };
    api.seed({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "lease-server-test", namespace: NS },
      spec: {
        holderIdentity: "replica-a",
        leaseDurationSeconds: 15,
        renewTime: new Date().toISOString().replace("Z", "000Z"),
      },
    });
    const follower = autoTlsSource({ ...common, identity: "replica-b" });
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

      const leader = autoTlsSource({ ...common, identity: "replica-a" });
      await leader.start(() => {});
      try {
        const caPem = bundleOf(api, name)[0]!;
        await waitUntil(
          "the follower to load the certificate",
          async () => (server.isReady() ? true : undefined),
          10_000,
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
});

function secretPemFrom(api: K8sApiStandin, secret: string, key: string): string {
  return Buffer.from(api.get("secrets", secret, NS)!.data[key], "base64").toString("utf8");
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
