import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fastJsonPatch from "fast-json-patch";
import { Pod } from "kubernetes-models/v1";
import { createLogger } from "../../../shared/log.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { startWebhookServer, type WebhookServer } from "../../../webhook/server/server.ts";
import { defaultSettings } from "../../../webhook/settings.ts";
import { fileTlsSource } from "../../../webhook/tls/files.ts";
import { postReview } from "./https.ts";
import { admissionReview, annotatedPod } from "./reviews.ts";
import { tlsFixture } from "./tls-fixture.ts";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** POST /mutate with the real injector, over HTTPS, for both admission versions. */
describe("POST /mutate with the injector", () => {
  let server: WebhookServer;
  let ca: string;
  let cleanup: () => Promise<void>;
  const logger = createLogger({ level: "silent" });

  before(async () => {
    const tls = await tlsFixture();
    ca = tls.ca.certPem;
    cleanup = tls.cleanup;
    server = await startWebhookServer({
      settings: { ...defaultSettings(), vaultAddress: "https://vault.vault.svc:8200" },
      inject: injectPod,
      tls: fileTlsSource({ certFile: tls.certFile, keyFile: tls.keyFile, logger }),
      logger,
      host: "127.0.0.1",
      port: 0,
    });
  });
  after(async () => {
    await server.close(1000);
    await cleanup();
  });

  function applyPatch(pod: unknown, response: Json): Json {
    assert.equal(response.patchType, "JSONPatch");
    const ops = JSON.parse(Buffer.from(response.patch, "base64").toString("utf8"));
    assert.ok(Array.isArray(ops) && ops.length > 0);
    for (const op of ops)
      assert.ok(op.op === "add" || op.op === "remove", `only add/remove, got ${op.op}`);
    return fastJsonPatch.applyPatch(structuredClone(pod), ops, true, false).newDocument;
  }

  for (const apiVersion of ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"] as const) {
    test(`${apiVersion}: an annotated pod gets a JSON patch, answered in ${apiVersion} with the uid echoed`, async () => {
      const pod = annotatedPod();
      const review = admissionReview({ apiVersion, object: pod });
      const res = await postReview(server.url, ca, review);
      assert.equal(res.status, 200);
      assert.match(String(res.headers["content-type"]), /^application\/json/);
      const body = res.json();
      assert.equal(body.apiVersion, apiVersion);
      assert.equal(body.kind, "AdmissionReview");
      assert.equal(body.response.uid, review.request.uid);
      assert.equal(body.response.allowed, true);
      const patched = applyPatch(pod, body.response);
      new Pod(patched).validate();
      const names = [...(patched.spec.initContainers ?? []), ...patched.spec.containers].map(
        (c: Json) => c.name,
      );
      assert.ok(
        names.includes("vault-agent-init") || names.includes("vault-agent"),
        names.join(","),
      );
      assert.equal(
        patched.metadata.annotations["vault.hashicorp.com/agent-inject-status"],
        "injected",
      );
    });
  }

  test("the patched pod sent again is left alone (already injected)", async () => {
    const pod = annotatedPod();
    const first = await postReview(server.url, ca, admissionReview({ object: pod }));
    const patched = applyPatch(pod, first.json().response);
    const second = await postReview(server.url, ca, admissionReview({ object: patched }));
    const response = second.json().response;
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
  });

  test("a pod that is not Pending is left alone", async () => {
    const pod = { ...annotatedPod(), status: { phase: "Running" } };
    const res = await postReview(server.url, ca, admissionReview({ object: pod }));
    assert.equal(res.json().response.allowed, true);
    assert.equal(res.json().response.patch, undefined);
  });

  test("a pod without the inject annotation is left alone", async () => {
    const pod = annotatedPod();
    delete (pod.metadata.annotations as Record<string, string>)["vault.hashicorp.com/agent-inject"];
    const res = await postReview(server.url, ca, admissionReview({ object: pod }));
    assert.deepEqual(Object.keys(res.json().response).sort(), ["allowed", "uid"]);
  });

  for (const namespace of ["kube-system", "kube-public"]) {
    test(`injection into ${namespace} is refused with a message`, async () => {
      const res = await postReview(
        server.url,
        ca,
        admissionReview({ object: annotatedPod(), namespace }),
      );
      const response = res.json().response;
      assert.equal(response.allowed, false);
      assert.match(response.status.message, new RegExp(namespace));
    });
  }

  test("a bad annotation value is refused naming the annotation", async () => {
    const pod = annotatedPod({ "vault.hashicorp.com/agent-limits-cpu": "lots" });
    const res = await postReview(server.url, ca, admissionReview({ object: pod }));
    const response = res.json().response;
    assert.equal(response.allowed, false);
    assert.match(response.status.message, /vault\.hashicorp\.com\/agent-limits-cpu/);
  });

  test("an unknown vault.hashicorp.com annotation comes back as a warning", async () => {
    const pod = annotatedPod({ "vault.hashicorp.com/agent-inject-secrt-db": "database/creds/web" });
    const res = await postReview(server.url, ca, admissionReview({ object: pod }));
    const response = res.json().response;
    assert.equal(response.allowed, true);
    assert.ok(
      response.warnings.some((w: string) =>
        w.includes("vault.hashicorp.com/agent-inject-secrt-db"),
      ),
      JSON.stringify(response.warnings),
    );
  });
});
