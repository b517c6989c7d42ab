import { Agent } from "node:https";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../../shared/log.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { startWebhookServer, type WebhookServer } from "../../../webhook/server/server.ts";
import { defaultSettings } from "../../../webhook/settings.ts";
import { fileTlsSource } from "../../../webhook/tls/files.ts";
import { postReview, type HttpsReply } from "../../webhook/server/https.ts";
import { admissionReview, annotatedPod } from "../../webhook/server/reviews.ts";
import { tlsFixture, type TlsFixture } from "../../webhook/server/tls-fixture.ts";

/**
 * Certificate rotation under load: the serving cert and key files are
 * replaced again and again (key first, then cert, as a careless writer
 * would) while loopback clients keep sending admission requests, half on
 * fresh connections (new handshakes see each new certificate) and half on
 * kept-alive ones. Every request must be answered 200 with a valid review.
 */

const ROTATIONS = 15;
const ROTATE_EVERY_MS = 120;
const CLIENTS = 8;

describe("webhook certificate rotation under load", () => {
  let fx: TlsFixture;
  let server: WebhookServer;
  const logger = createLogger({ level: "silent" });

  before(async () => {
    fx = await tlsFixture();
    server = await startWebhookServer({
      settings: { ...defaultSettings(), vaultAddress: "https://vault.vault.svc:8200" },
      inject: injectPod,
      tls: fileTlsSource({ certFile: fx.certFile, keyFile: fx.keyFile, logger, settleMs: 20 }),
      logger,
      host: "127.0.0.1",
      port: 0,
    });
  });
  after(async () => {
    await server.close(1000);
    await fx.cleanup();
  });

  test("rotating the certificate files repeatedly under load drops no request", async () => {
    const serials = new Set<string>();
    const failures: string[] = [];
    let answered = 0;
    let rotating = true;

    const check = (res: HttpsReply, uid: string) => {
      if (res.peerCertificate?.serialNumber) serials.add(res.peerCertificate.serialNumber);
      if (res.status !== 200) return failures.push(`status ${res.status}: ${res.body}`);
      const body = res.json();
      if (body.kind !== "AdmissionReview" || body.response?.uid !== uid)
        return failures.push(`not a review for ${uid}: ${res.body}`);
      if (body.response.allowed !== true || body.response.patchType !== "JSONPatch")
        return failures.push(`not an injection: ${res.body}`);
      answered += 1;
    };

    const client = async (i: number) => {
      const agent = i % 2 === 0 ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
      try {
        while (rotating) {
          const review = admissionReview({ object: annotatedPod() });
          try {
            check(await postReview(server.url, fx.ca.certPem, review, agent), review.request.uid);
          } catch (err) {
            failures.push(`request failed: ${(err as Error).message}`);
          }
        }
      } finally {
        agent?.destroy();
      }
    };

    const rotate = async () => {
      try {
        for (let n = 0; n < ROTATIONS; n++) {
          await new Promise((r) => setTimeout(r, ROTATE_EVERY_MS));
          await fx.write(await fx.issue());
        }
        // let the last reload land while the load still runs
        await new Promise((r) => setTimeout(r, ROTATE_EVERY_MS * 3));
      } finally {
        rotating = false;
      }
    };

    await Promise.all([rotate(), ...Array.from({ length: CLIENTS }, (_, i) => client(i))]);

    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} requests failed`);
    assert.ok(answered > CLIENTS * ROTATIONS, `only ${answered} requests ran during the rotations`);
    assert.ok(
      serials.size >= 3,
      `clients saw only ${serials.size} certificates: rotation did not happen under load`,
    );
  });
});
