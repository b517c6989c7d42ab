import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import type { Pod } from "../../../webhook/pod.ts";
import {
  AGENT_CONTAINERS,
  allContainers,
  assertTokenOnlyInAgents,
  injectAndApply,
  PREFIX,
  podWith,
} from "./pods.ts";

/** Property bodies run in a worker by json-patch.test.ts. */

const ANNOTATIONS = [`${PREFIX}agent-json-patch`, `${PREFIX}agent-init-json-patch`] as const;

/** Pointers that try to reach the rest of the pod, the container's identity, or the prototype. */
const pointer = fc.oneof(
  fc.constantFrom(
    "",
    "/",
    "/name",
    "/name/x",
    "/spec/containers/0/image",
    "/spec/containers/-",
    "/spec/volumes/-",
    "/spec/serviceAccountName",
    "/metadata",
    "/metadata/annotations/x",
    "/../spec/containers/0",
    "/..",
    "../spec",
    "spec/containers",
    "/~1spec~1containers~10~1image",
    "/~0",
    "/~01",
    "/~2",
    "/volumeMounts/-",
    "/volumeMounts/0",
    "/volumeMounts/0/name",
    "/env/-",
    "/env/0/value",
    "/command/0",
    "/image",
    "/__proto__/polluted",
    "/constructor/prototype/polluted",
    "/securityContext/privileged",
  ),
  fc
    .array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 4 })
    .map((s) => "/" + s.join("/")),
);

const operation = fc.record(
  {
    op: fc.constantFrom("add", "remove", "replace", "move", "copy", "test", "delete", ""),
    path: pointer,
    from: pointer,
    value: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ["op", "path"] },
);

const patchText = fc.oneof(
  fc.array(operation, { maxLength: 6 }).map((ops) => JSON.stringify(ops)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 30 }),
);

/** Everything outside the agent containers, to compare with an injection without the patch. */
function outsideAgents(pod: Pod): unknown {
  return {
    metadata: pod.metadata,
    volumes: pod.spec?.volumes,
    apps: allContainers(pod).filter((c) => !AGENT_CONTAINERS.has(c.name)),
    spec: { ...pod.spec, containers: undefined, initContainers: undefined },
    agentNames: allContainers(pod)
      .filter((c) => AGENT_CONTAINERS.has(c.name))
      .map((c) => c.name),
  };
}

/**
 * A json-patch annotation is applied to its agent container alone: whatever
 * it says, the app containers, volumes, pod spec and metadata come out as
 * without it (apart from the annotation itself), or the pod is refused with a
 * message naming the annotation. Nothing pollutes Object.prototype.
 */
export function patchesStayInTheAgentContainer(): void {
  let patched = 0;
  fc.assert(
    fc.property(fc.constantFrom(...ANNOTATIONS), patchText, (annotation, text) => {
      const extra = { [annotation]: text };
      const r = injectAndApply(podWith(extra));
      assert.equal(
        ({} as Record<string, unknown>)["polluted"],
        undefined,
        "Object.prototype polluted",
      );
      if (r.kind === "reject") {
        assert.ok(
          r.message.includes(annotation),
          `message does not name ${annotation}: ${r.message}`,
        );
        return;
      }
      assert.equal(r.kind, "patch");
      const baseline = injectAndApply(podWith({ [annotation]: "[]" }));
      assert.equal(baseline.kind, "patch");
      assertTokenOnlyInAgents(r.pod!);
      patched += 1;
      assert.deepEqual(
        outsideAgents(r.pod!),
        outsideAgents(withAnnotation(baseline.pod!, annotation, text)),
      );
    }),
    { numRuns: 600 },
  );
  // The property must see accepted patches too, not only refusals.
  assert.ok(patched > 0, "no generated patch was accepted");
}

function withAnnotation(pod: Pod, annotation: string, text: string): Pod {
  const copy = structuredClone(pod);
  copy.metadata!.annotations![annotation] = text;
  return copy;
}

/** Copies that double the container each time are refused at once, naming the annotation. */
export function doublingCopiesAreRefused(): void {
  fc.assert(
    fc.property(
      fc.constantFrom(...ANNOTATIONS),
      fc.integer({ min: 20, max: 200 }),
      (annotation, n) => {
        const ops: unknown[] = [
          { op: "add", path: "/x", value: ["0123456789abcdef0123456789abcdef"] },
        ];
        for (let i = 0; i < n; i++) ops.push({ op: "copy", from: "/x", path: "/x/-" });
        const r = injectAndApply(podWith({ [annotation]: JSON.stringify(ops) }));
        assert.equal(r.kind, "reject");
        assert.ok(
          r.kind === "reject" && r.message.includes(annotation),
          r.kind === "reject" ? r.message : "",
        );
      },
    ),
    { numRuns: 20 },
  );
}

/**
 * Patches far larger than any annotation the API server accepts (thousands
 * of operations): applied or refused, and the env they add stays in the agent.
 */
export function hugePatches(): void {
  for (const n of [1_000, 5_000, 20_000]) {
    const ops = Array.from({ length: n }, (_, i) => ({
      op: "add",
      path: "/env/-",
      value: { name: `E${i}`, value: "v" },
    }));
    const r = injectAndApply(podWith({ [ANNOTATIONS[0]]: JSON.stringify(ops) }));
    if (r.kind === "reject") {
      assert.ok(r.message.includes(ANNOTATIONS[0]), r.message);
      continue;
    }
    assert.equal(r.kind, "patch");
    assertTokenOnlyInAgents(r.pod!);
    for (const c of allContainers(r.pod!).filter((c) => !AGENT_CONTAINERS.has(c.name)))
      assert.ok(!(c.env ?? []).some((e) => e.name === "E0"), `${c.name} got the agent's env`);
  }
}
