import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import { parseReviewBody, reviewAdmission } from "../../../webhook/server/admission.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { annotatedPod } from "../../webhook/server/reviews.ts";
import { SETTINGS } from "./pods.ts";

/** Property bodies run in a worker by admission-review.test.ts. */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The answer is a 400 with an error message, or a 200 AdmissionReview echoing the uid. */
function checkAnswer(review: unknown): void {
  const out = reviewAdmission(review, injectPod, SETTINGS);
  const body = out.body as Json;
  if (out.status === 400) {
    assert.equal(out.result, "bad_request");
    assert.equal(typeof body.error, "string");
    assert.ok(body.error.length > 0);
    return;
  }
  assert.equal(out.status, 200, `unexpected status ${out.status}`);
  assert.equal(body.kind, "AdmissionReview");
  assert.equal(body.response.uid, (review as Json).request.uid);
  assert.equal(typeof body.response.allowed, "boolean");
  if (!body.response.allowed) {
    assert.equal(typeof body.response.status.message, "string");
    assert.ok(body.response.status.message.length > 0);
  }
  if (body.response.patch !== undefined) {
    const ops = JSON.parse(Buffer.from(body.response.patch, "base64").toString("utf8"));
    assert.ok(Array.isArray(ops));
  }
  // The answer must serialise: the server sends it with JSON.stringify.
  JSON.stringify(body);
}

const anyField = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));

/** Reviews close to real ones with any field replaced by arbitrary JSON. */
const nearReview = fc
  .record({
    apiVersion: fc.oneof(
      fc.constantFrom("admission.k8s.io/v1", "admission.k8s.io/v1beta1"),
      anyField,
    ),
    kind: fc.oneof(fc.constant("AdmissionReview"), anyField),
    uid: fc.oneof(fc.uuid(), anyField),
    operation: fc.oneof(fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT"), anyField),
    kindField: fc.oneof(fc.constant({ group: "", version: "v1", kind: "Pod" }), anyField),
    resource: fc.oneof(fc.constant({ group: "", version: "v1", resource: "pods" }), anyField),
    subResource: fc.oneof(fc.constantFrom("", "status", "binding"), anyField),
    namespace: fc.oneof(fc.constantFrom("app", "kube-system", ""), anyField),
    object: fc.oneof(fc.constant(annotatedPod()), fc.jsonValue({ maxDepth: 4 }), anyField),
  })
  .map((r) => ({
    apiVersion: r.apiVersion,
    kind: r.kind,
    request: {
      uid: r.uid,
      kind: r.kindField,
      resource: r.resource,
      subResource: r.subResource,
      namespace: r.namespace,
      operation: r.operation,
      object: r.object,
    },
  }));

export function arbitraryReviews(): void {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), nearReview), (review) => checkAnswer(review)),
    {
      numRuns: 2000,
    },
  );
}

/** Raw bodies (any bytes) through the body decoder: a value or a message that quotes nothing. */
export function arbitraryBodies(): void {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v).slice(0, -1) + "\u0000")),
        fc.string().map((s) => Buffer.from(`{"password":"${s}`)),
      ),
      (raw) => {
        const parsed = parseReviewBody(raw);
        if (parsed.ok) return checkAnswer(parsed.value);
        assert.ok(parsed.message.length > 0);
        assert.ok(!parsed.message.includes("password"), "the message quotes the body");
      },
    ),
    { numRuns: 2000 },
  );
}
