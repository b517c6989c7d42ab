import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import jsonpatch from "fast-json-patch";
import { ANNOTATIONS, fullName } from "../../../webhook/annotations/table.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import type { Pod } from "../../../webhook/pod.ts";
import { SETTINGS, validatePod } from "./helpers.ts";

test("any JSON value: a result, never an exception", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string(), (value, ns) => {
      const r = injectPod(value, ns, SETTINGS);
      assert.ok(["skip", "patch", "reject"].includes(r.kind));
    }),
    { numRuns: 300 },
  );
});

test("pods with bad list and field types are rejected, not thrown on", () => {
  const bad: unknown[] = [
    { spec: { containers: [{ name: "a", volumeMounts: [{ name: 1 }] }] } },
    { spec: { containers: [{ name: "a", volumeMounts: "x" }] } },
    { spec: { containers: [{ name: 3 }] } },
    { spec: { containers: [{ name: "a", securityContext: { runAsUser: "root" } }] } },
    { spec: { containers: [{ name: "a" }], volumes: [{}] } },
    {
      metadata: { annotations: { "vault.hashicorp.com/agent-inject": 1 } },
      spec: { containers: [{ name: "a" }] },
    },
    { metadata: [], spec: { containers: [{ name: "a" }] } },
    { spec: { containers: [{ name: "a" }] }, status: { phase: 5 } },
  ];
  for (const pod of bad) {
    const withFlag = structuredClone(pod) as {
      metadata?: { annotations?: Record<string, unknown> };
    };
    assert.equal(injectPod(pod, "default", SETTINGS).kind, "reject", JSON.stringify(pod));
    if (withFlag.metadata && !Array.isArray(withFlag.metadata)) {
      withFlag.metadata.annotations = {
        ...withFlag.metadata.annotations,
        "vault.hashicorp.com/agent-inject": "true",
      };
      assert.equal(
        injectPod(withFlag, "default", SETTINGS).kind,
        "reject",
        JSON.stringify(withFlag),
      );
    }
  }
});

const names = ANNOTATIONS.map((d) =>
  d.kind === "per-secret" ? fullName(d, "s") : d.kind === "keyed" ? fullName(d, "k") : fullName(d),
);
const values = fc.oneof(
  fc.constantFrom(
    "true",
    "false",
    "",
    "0",
    "1",
    "600",
    "1h",
    "/vault/x",
    "../x",
    "json",
    "100m",
    "s/a",
    "[]",
    "x",
  ),
  fc.string({ maxLength: 12 }),
);

test("random annotation sets: every patch applies and yields a schema-valid pod", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...names), values, { maxKeys: 8 }), (extra) => {
      const pod: Pod = {
        metadata: {
          name: "p",
          annotations: {
            "vault.hashicorp.com/agent-inject": "true",
            "vault.hashicorp.com/role": "r",
            "vault.hashicorp.com/agent-inject-secret-s": "secret/s",
            ...extra,
          },
        },
        spec: {
          containers: [
            {
              name: "app",
              image: "app",
              securityContext: { runAsUser: 1000 },
              volumeMounts: [
                { name: "sa", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
              ],
            },
          ],
          volumes: [
            { name: "sa", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
          ],
        },
      };
      const r = injectPod(pod, "default", SETTINGS);
      if (r.kind === "reject") {
        assert.ok(r.message.length > 0);
        return;
      }
      if (r.kind === "skip") return;
      const out = jsonpatch.applyPatch(
        jsonpatch.deepClone(pod),
        jsonpatch.deepClone(r.patch),
        true,
        false,
      ).newDocument;
      validatePod(out);
    }),
    { numRuns: 300 },
  );
});
