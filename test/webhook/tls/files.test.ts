import { X509Certificate } from "node:crypto";
import { mkdir, rename, symlink, writeFile } from "node:fs/promises";
import { Agent, request } from "node:https";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../../shared/log.ts";
import type { InjectFn } from "../../../webhook/server/admission.ts";
import { startWebhookServer, type WebhookServer } from "../../../webhook/server/server.ts";
import { defaultSettings } from "../../../webhook/settings.ts";
import { fileTlsSource } from "../../../webhook/tls/files.ts";
import type { TlsMaterial } from "../../../webhook/tls/material.ts";
import { httpsRequest, postReview } from "../server/https.ts";
import { admissionReview, annotatedPod } from "../server/reviews.ts";
import { tlsFixture, type TlsFixture } from "../server/tls-fixture.ts";

const logger = createLogger({ level: "silent" });
const settings = { ...defaultSettings(), vaultAddress: "https://vault.example:8200" };
const inject: InjectFn = () => ({
  kind: "patch",
  patch: [{ op: "add", path: "/metadata/labels/injected", value: "yes" }] as never,
  warnings: [],
  injectionType: "sidecar_only",
});

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

async function servedFingerprint(server: WebhookServer, ca: string): Promise<string | undefined> {
  const res = await httpsRequest({ url: server.url, ca, path: "/healthz" });
  return res.peerCertificate?.fingerprint256;
}

async function waitForCert(server: WebhookServer, ca: string, m: TlsMaterial): Promise<void> {
  const want = fingerprint(m.certPem);
  for (let i = 0; i < 500; i++) {
    if ((await servedFingerprint(server, ca)) === want) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail("the new certificate was never served");
}

async function startServer(tls: { certFile: string; keyFile: string }): Promise<WebhookServer> {
  return startWebhookServer({
    settings,
    inject,
    tls: fileTlsSource({ certFile: tls.certFile, keyFile: tls.keyFile, logger, settleMs: 30 }),
    logger,
    host: "127.0.0.1",
    port: 0,
  });
}

describe("TLS from files", () => {
  let fx: TlsFixture & { first: TlsMaterial };
  before(async () => {
    fx = await tlsFixture();
  });
  after(async () => {
    await fx.cleanup();
  });

  test("rotating the files while requests are in flight drops none and serves the new cert after", async () => {
    await fx.write(fx.first);
    const server = await startServer(fx);
    const ca = fx.ca.certPem;
    try {
      assert.equal(await servedFingerprint(server, ca), fingerprint(fx.first.certPem));

      // A request whose body is only half sent when the certificate changes.
      const body = JSON.stringify(admissionReview({ object: annotatedPod() }));
      const half = Math.floor(body.length / 2);
      let finishBody = () => {};
      const rotationDone = new Promise<void>((r) => (finishBody = r));
      const inFlight = new Promise<{ status: number; text: string; cert: string }>(
        (resolve, reject) => {
          const req = request(
            new URL("/mutate", server.url),
            {
              method: "POST",
              ca,
              agent: false,
              headers: {
                "content-type": "application/json",
                "content-length": String(Buffer.byteLength(body)),
              },
            },
            (res) => {
              let text = "";
              const cert = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
              res.on("data", (c) => (text += c));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, text, cert }));
            },
          );
          req.on("error", reject);
          req.write(body.slice(0, half));
          void rotationDone.then(() => req.end(body.slice(half)));
        },
      );

      // Steady load on keep-alive connections throughout the rotation.
      const agent = new Agent({ keepAlive: true, maxSockets: 8, ca });
      let stop = false;
      let ok = 0;
      const failures: string[] = [];
      const worker = async () => {
        while (!stop) {
          try {
            const res = await postReview(
              server.url,
              ca,
              admissionReview({ object: annotatedPod() }),
              agent,
            );
            if (res.status === 200 && res.json().response.allowed === true) ok++;
            else failures.push(`status ${res.status}`);
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      };
      const workers = Array.from({ length: 8 }, worker);

      const second = await fx.issue();
      await setTimeoutPromise(30);
      await fx.write(second);
      await waitForCert(server, ca, second);
      const okAtRotation = ok;
      finishBody();
      const finished = await inFlight;
      await setTimeoutPromise(50);
      stop = true;
      await Promise.all(workers);
      agent.destroy();

      assert.equal(finished.status, 200, "the half-sent request completes");
      assert.equal(JSON.parse(finished.text).response.allowed, true);
      assert.equal(
        finished.cert,
        fingerprint(fx.first.certPem),
        "it stayed on its connection with the old cert",
      );
      assert.deepEqual(failures, []);
      assert.ok(
        okAtRotation > 0 && ok > okAtRotation,
        `requests succeeded before (${okAtRotation}) and after (${ok}) the rotation`,
      );
      assert.equal(await servedFingerprint(server, ca), fingerprint(second.certPem));
    } finally {
      await server.close(1000);
    }
  });

  test("a Kubernetes Secret volume update (..data symlink swap) is picked up", async () => {
    const dir = join(fx.dir, "secret-volume");
    await mkdir(join(dir, "..v1"), { recursive: true });
    await writeFile(join(dir, "..v1", "tls.crt"), fx.first.certPem);
    await writeFile(join(dir, "..v1", "tls.key"), fx.first.keyPem);
    await symlink("..v1", join(dir, "..data"));
    await symlink("..data/tls.crt", join(dir, "tls.crt"));
    await symlink("..data/tls.key", join(dir, "tls.key"));
    const server = await startServer({
      certFile: join(dir, "tls.crt"),
      keyFile: join(dir, "tls.key"),
    });
    try {
      assert.equal(await servedFingerprint(server, fx.ca.certPem), fingerprint(fx.first.certPem));
      const next = await fx.issue();
      await mkdir(join(dir, "..v2"));
      await writeFile(join(dir, "..v2", "tls.crt"), next.certPem);
      await writeFile(join(dir, "..v2", "tls.key"), next.keyPem);
      await symlink("..v2", join(dir, "..data_tmp"));
      await rename(join(dir, "..data_tmp"), join(dir, "..data"));
      await waitForCert(server, fx.ca.certPem, next);
    } finally {
      await server.close(1000);
    }
  });

  test("a key that does not match the certificate keeps the old one until the pair is whole", async () => {
    await fx.write(fx.first);
    const server = await startServer(fx);
    const ca = fx.ca.certPem;
    try {
      const next = await fx.issue();
      const other = await fx.issue();
      await writeFile(fx.certFile, next.certPem); // key still the old one: not a pair
      await writeFile(fx.keyFile, other.keyPem);
      await setTimeoutPromise(300);
      assert.equal(await servedFingerprint(server, ca), fingerprint(fx.first.certPem));
      assert.equal(server.isReady(), true);
      await writeFile(fx.keyFile, next.keyPem);
      await waitForCert(server, ca, next);
    } finally {
      await server.close(1000);
    }
  });

  test("a missing certificate file is a clear error naming the file and the setting", async () => {
    await assert.rejects(
      startServer({ certFile: join(fx.dir, "absent.crt"), keyFile: fx.keyFile }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "TLS_FILES");
        assert.match(
          err.message,
          /cannot read the TLS certificate .*absent\.crt \(ENOENT\): check AGENT_INJECT_TLS_CERT_FILE/,
        );
        return true;
      },
    );
  });
});

function setTimeoutPromise(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
