import { request } from "node:https";
import { connect } from "node:tls";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "../../../shared/log.ts";
import type { InjectFn } from "../../../webhook/server/admission.ts";
import { startWebhookServer, type WebhookServer } from "../../../webhook/server/server.ts";
import { defaultSettings } from "../../../webhook/settings.ts";
import { fileTlsSource } from "../../../webhook/tls/files.ts";
import { waitUntil } from "../../support/processes.ts";
import { httpsRequest, postReview } from "./https.ts";
import { admissionReview, annotatedPod } from "./reviews.ts";
import { tlsFixture } from "./tls-fixture.ts";

/**
 * Transport and bad-input behaviour of POST /mutate. The injector here is a
 * fixed function so each case controls what injection returns or throws;
 * real injection over HTTPS is covered in mutate.test.ts.
 */

const SECRET_ENV_VALUE = "hunter2-do-not-log";
const PATCH = [
  {
    op: "add",
    path: "/metadata/annotations/vault.hashicorp.com~1agent-inject-status",
    value: "injected",
  },
];

const fakeInject: InjectFn = (pod) => {
  const name = (pod as { metadata?: { generateName?: string } }).metadata?.generateName ?? "";
  if (name.startsWith("throws-")) throw new Error("boom while building the agent config");
  if (name.startsWith("rejects-")) {
    return {
      kind: "reject",
      message: 'annotation vault.hashicorp.com/agent-limits-cpu: "lots" is not a CPU quantity',
      warnings: ["w1"],
    };
  }
  if (name.startsWith("skips-")) return { kind: "skip", reason: "no agent-inject annotation" };
  return {
    kind: "patch",
    patch: PATCH as never,
    warnings: ["annotation vault.hashicorp.com/agent-inject-secrt is unknown"],
    injectionType: "init_and_sidecar",
  };
};

describe("POST /mutate bad input over HTTPS", () => {
  let server: WebhookServer;
  let ca: string;
  let cleanup: () => Promise<void>;
  const logLines: string[] = [];

  before(async () => {
    const tls = await tlsFixture();
    ca = tls.ca.certPem;
    cleanup = tls.cleanup;
    const destination = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: "debug", destination });
    server = await startWebhookServer({
      settings: { ...defaultSettings(), vaultAddress: "https://vault.example:8200" },
      inject: fakeInject,
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

  const post = (
    body: string | Buffer,
    headers: Record<string, string> = { "content-type": "application/json" },
  ) => httpsRequest({ url: server.url, ca, method: "POST", path: "/mutate", headers, body });

  test("wrong content type is 415 naming the type", async () => {
    const res = await post(JSON.stringify(admissionReview({ object: annotatedPod() })), {
      "content-type": "text/plain",
    });
    assert.equal(res.status, 415);
    assert.match(
      res.json().error,
      /content type "text\/plain" is not supported: send application\/json/,
    );
  });

  test("missing content type with a body is 415", async () => {
    const res = await post("{}", {});
    assert.equal(res.status, 415);
  });

  test("empty body is 400 with a clear message", async () => {
    const res = await post("", { "content-type": "application/json", "content-length": "0" });
    assert.equal(res.status, 400);
    assert.match(res.json().error, /request body is empty: expected an AdmissionReview/);
  });

  test("malformed JSON is 400 with a clear message", async () => {
    const res = await post('{"apiVersion": "admission.k8s.io/v1", "kind": ');
    assert.equal(res.status, 400);
    assert.equal(
      res.json().error,
      "request body is not valid JSON (it ends too early): expected an AdmissionReview",
    );
  });

  test("JSON that is not an object is 400", async () => {
    const res = await post("[1,2,3]");
    assert.equal(res.status, 400);
    assert.match(res.json().error, /must be a JSON object/);
  });

  test("unsupported apiVersion is 400 naming the accepted versions", async () => {
    const review = {
      ...admissionReview({ object: annotatedPod() }),
      apiVersion: "admission.k8s.io/v2",
    };
    const res = await post(JSON.stringify(review));
    assert.equal(res.status, 400);
    assert.match(
      res.json().error,
      /admission\.k8s\.io\/v2.*admission\.k8s\.io\/v1 or admission\.k8s\.io\/v1beta1/,
    );
  });

  test("wrong kind (a Pod instead of an AdmissionReview) is 400", async () => {
    const res = await post(
      JSON.stringify({ ...annotatedPod(), apiVersion: "admission.k8s.io/v1" }),
    );
    assert.equal(res.status, 400);
    assert.match(res.json().error, /kind "Pod" is not supported: send kind AdmissionReview/);
  });

  test("AdmissionReview without request is 400", async () => {
    const res = await post(
      JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }),
    );
    assert.equal(res.status, 400);
    assert.match(res.json().error, /AdmissionReview has no request/);
  });

  test("request without uid is 400", async () => {
    const review = admissionReview({ object: annotatedPod() });
    const res = await post(JSON.stringify({ ...review, request: { ...review.request, uid: "" } }));
    assert.equal(res.status, 400);
    assert.match(res.json().error, /request\.uid is missing/);
  });

  test("body over 1 MiB is 413 and the server keeps answering", async () => {
    const big = JSON.stringify(
      admissionReview({ object: { ...annotatedPod(), padding: "x".repeat(1024 * 1024) } }),
    );
    const res = await post(big);
    assert.equal(res.status, 413);
    assert.match(res.json().error, /larger than 1048576 bytes/);
    const ok = await postReview(server.url, ca, admissionReview({ object: annotatedPod() }));
    assert.equal(ok.status, 200);
  });

  test("chunked body over 1 MiB (no content-length) is 413", async () => {
    const body = "x".repeat(2 * 1024 * 1024);
    const res = await httpsRequest({
      url: server.url,
      ca,
      method: "POST",
      path: "/mutate",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      body,
    });
    assert.equal(res.status, 413);
  });

  test("a body declared over 1 MiB is answered 413 while the client is still sending it; the client finishes without a broken pipe and the connection serves the next review", async () => {
    const socket = connect({ host: "127.0.0.1", port: server.port, ca, servername: "localhost" });
    await new Promise<void>((resolve, reject) =>
      socket.once("secureConnect", resolve).once("error", reject),
    );
    const errors: Error[] = [];
    socket.on("error", (err) => errors.push(err));
    let received = "";
    socket.setEncoding("utf8").on("data", (c: string) => (received += c));
    const declared = 2 * 1024 * 1024;
    socket.write(
      `POST /mutate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`,
    );
    await waitUntil(
      "the 413",
      async () => (received.includes("\r\n\r\n") ? true : undefined),
      5000,
      10,
    );
    assert.match(received, /^HTTP\/1\.1 413 /);
    assert.doesNotMatch(received, /connection: close/i);
    // the rest of the declared body, after the answer
    const chunk = Buffer.alloc(64 * 1024, "x");
    for (let sent = 0; sent < declared; sent += chunk.length) {
      if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r));
    }
    received = "";
    const body = JSON.stringify(admissionReview({ object: annotatedPod() }));
    socket.write(
      `POST /mutate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await waitUntil(
      "the next review's answer on the same connection",
      async () => (received.includes('"patchType":"JSONPatch"') ? true : undefined),
      10_000,
      10,
    );
    assert.match(received, /^HTTP\/1\.1 200 /);
    socket.destroy();
    assert.deepEqual(errors, []);
  });

  test("a body cut short by the client does not hang the server", async () => {
    const socket = connect({ host: "127.0.0.1", port: server.port, ca, servername: "localhost" });
    await new Promise<void>((resolve, reject) =>
      socket.once("secureConnect", resolve).once("error", reject),
    );
    socket.write(
      `POST /mutate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"apiVersion":`,
    );
    socket.destroy();
    const ok = await postReview(server.url, ca, admissionReview({ object: annotatedPod() }));
    assert.equal(ok.status, 200);
  });

  test("a non-Pod object (Deployment CREATE) is allowed unchanged", async () => {
    const review = admissionReview({
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: {} },
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
    });
    const res = await postReview(server.url, ca, review);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json().response, { uid: review.request.uid, allowed: true });
  });

  test("a pod UPDATE is allowed unchanged", async () => {
    const review = admissionReview({ object: annotatedPod(), operation: "UPDATE" });
    const res = await postReview(server.url, ca, review);
    assert.deepEqual(res.json().response, { uid: review.request.uid, allowed: true });
  });

  test("a pod subresource CREATE (binding) is allowed unchanged", async () => {
    const review = admissionReview({ object: { kind: "Binding" }, subResource: "binding" });
    const res = await postReview(server.url, ca, review);
    assert.deepEqual(res.json().response, { uid: review.request.uid, allowed: true });
  });

  test("an exception inside injection is allowed:false with a message, not a 500", async () => {
    const pod = annotatedPod();
    pod.metadata.generateName = "throws-";
    const review = admissionReview({ object: pod });
    const res = await postReview(server.url, ca, review);
    assert.equal(res.status, 200);
    const { response } = res.json();
    assert.equal(response.uid, review.request.uid);
    assert.equal(response.allowed, false);
    assert.match(
      response.status.message,
      /could not inject pod throws-\*: boom while building the agent config/,
    );
    const again = await postReview(server.url, ca, admissionReview({ object: annotatedPod() }));
    assert.equal(again.json().response.allowed, true);
  });

  test("a rejected pod is allowed:false with the message and warnings", async () => {
    const pod = annotatedPod();
    pod.metadata.generateName = "rejects-";
    const review = admissionReview({ object: pod, apiVersion: "admission.k8s.io/v1beta1" });
    const res = await postReview(server.url, ca, review);
    const body = res.json();
    assert.equal(body.apiVersion, "admission.k8s.io/v1beta1");
    assert.equal(body.response.allowed, false);
    assert.equal(body.response.status.code, 400);
    assert.match(body.response.status.message, /agent-limits-cpu/);
    assert.deepEqual(body.response.warnings, ["w1"]);
  });

  test("an unknown path is 404 and GET /mutate is not served", async () => {
    assert.equal((await httpsRequest({ url: server.url, ca, path: "/nope" })).status, 404);
    assert.equal((await httpsRequest({ url: server.url, ca, path: "/mutate" })).status, 404);
  });

  test("health and readiness answer 200 once TLS is loaded", async () => {
    assert.equal((await httpsRequest({ url: server.url, ca, path: "/healthz" })).status, 200);
    assert.equal((await httpsRequest({ url: server.url, ca, path: "/health/ready" })).status, 200);
  });

  test("metrics count injections and failures by namespace and type, with duration and in-flight", async () => {
    const pod = annotatedPod();
    await postReview(server.url, ca, admissionReview({ object: pod, namespace: "metrics-ns" }));
    await postReview(server.url, ca, admissionReview({ object: pod, namespace: "metrics-ns" }));
    const rejected = annotatedPod();
    rejected.metadata.generateName = "rejects-";
    await postReview(
      server.url,
      ca,
      admissionReview({ object: rejected, namespace: "metrics-ns" }),
    );
    const res = await httpsRequest({ url: server.url, ca, path: "/metrics" });
    assert.equal(res.status, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain/);
    const text = res.body.toString();
    assert.match(
      text,
      /vault_agent_injector_injections_by_namespace_total\{namespace="metrics-ns",injection_type="init_and_sidecar"\} 2/,
    );
    assert.match(
      text,
      /vault_agent_injector_failed_injections_by_namespace_total\{namespace="metrics-ns",injection_type="unknown"\} 1/,
    );
    assert.match(text, /# TYPE vault_agent_injector_request_processing_duration_ms histogram/);
    assert.match(
      text,
      /vault_agent_injector_request_processing_duration_ms_bucket\{le="\+Inf"\} \d+/,
    );
    assert.match(text, /vault_agent_injector_request_queue_length 0/);
  });

  test("a review whose ?timeout= ran out while it was queued is answered 503 naming the timeout, counted, and not reviewed; the API server's 10s gets its patch", async () => {
    const body = (ns: string) =>
      JSON.stringify(admissionReview({ object: annotatedPod(), namespace: ns }));
    const send = (path: string, ns: string) =>
      httpsRequest({
        url: server.url,
        ca,
        method: "POST",
        path,
        headers: { "content-type": "application/json" },
        body: body(ns),
      });
    // 1ns is over before the review's turn comes
    const expired = await send("/mutate?timeout=1ns", "expired-ns");
    assert.equal(expired.status, 503);
    assert.match(
      expired.json().error,
      /too busy to review this request within its timeout \(0\.000001 ms\); retry, or add webhook replicas or CPU/,
    );
    const timely = await send("/mutate?timeout=10s", "timely-ns");
    assert.equal(timely.status, 200);
    assert.equal(timely.json().response.patchType, "JSONPatch");
    const text = (await httpsRequest({ url: server.url, ca, path: "/metrics" })).body.toString();
    assert.match(text, /vaultlet_webhook_reviews_expired_total 1\n/);
    assert.doesNotMatch(text, /namespace="expired-ns"/, "the expired review was not reviewed");
    assert.match(text, /injections_by_namespace_total\{namespace="timely-ns"/);
  });

  test("the in-flight gauge counts a request while its body is still arriving", async () => {
    const body = JSON.stringify(admissionReview({ object: annotatedPod() }));
    let finish = () => {};
    const done = new Promise<number>((resolve, reject) => {
      const req = request(
        new URL("/mutate", server.url),
        {
          method: "POST",
          ca,
          agent: false,
          headers: { "content-type": "application/json", "content-length": String(body.length) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 50));
      finish = () => req.end(body.slice(50));
    });
    const gauge = async () => {
      const text = (await httpsRequest({ url: server.url, ca, path: "/metrics" })).body.toString();
      return /vault_agent_injector_request_queue_length (\d+)/.exec(text)?.[1];
    };
    await waitUntil(
      "the request to be counted",
      async () => ((await gauge()) === "1" ? true : undefined),
      5000,
      20,
    );
    finish();
    assert.equal(await done, 200);
    await waitUntil(
      "the gauge to drop",
      async () => ((await gauge()) === "0" ? true : undefined),
      5000,
      20,
    );
  });

  test("logs never contain pod env values or bodies", async () => {
    const pod = annotatedPod({}, { env: [{ name: "DB_PASSWORD", value: SECRET_ENV_VALUE }] });
    await postReview(server.url, ca, admissionReview({ object: pod }));
    const bad = annotatedPod({}, { env: [{ name: "DB_PASSWORD", value: SECRET_ENV_VALUE }] });
    bad.metadata.generateName = "throws-";
    await postReview(server.url, ca, admissionReview({ object: bad }));
    const broken = await post(`{"env": ${SECRET_ENV_VALUE}}`);
    assert.equal(broken.status, 400);
    assert.ok(!broken.body.toString().includes(SECRET_ENV_VALUE), "no body text in the error");
    await new Promise((r) => setTimeout(r, 50));
    const all = logLines.join("");
    assert.ok(all.includes("pod injected"), "requests are logged");
    assert.ok(!all.includes(SECRET_ENV_VALUE), "no env value in the logs");
  });
});
