import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import { ANNOTATIONS, fullName } from "../../../webhook/annotations/table.ts";
import type { Pod } from "../../../webhook/pod.ts";
import { validatePod } from "../../webhook/mutate/helpers.ts";
import {
  assertConfined,
  assertTokenOnlyInAgents,
  injectAndApply,
  PREFIX,
  podWith,
  templateDestinations,
} from "./pods.ts";

/** Property bodies run in a worker by annotations.test.ts (so a hang is caught). */

const knownNames = ANNOTATIONS.map((d) => (d.kind === "global" ? d.name : `${d.name}-`));

/** Names under vault.hashicorp.com/: known ones (per-secret with any suffix) and arbitrary text. */
export const annotationName = fc.oneof(
  fc
    .tuple(fc.constantFrom(...knownNames), fc.string({ unit: "binary", maxLength: 20 }))
    .map(([n, s]) => PREFIX + (n.endsWith("-") ? n + s : n)),
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => PREFIX + s),
  fc.constantFrom(
    `${PREFIX}`,
    `${PREFIX}agent-inject-secret-`,
    `${PREFIX}agent-inject-secret-../../etc/passwd`,
    `${PREFIX}agent-inject-template-__proto__`,
    `${PREFIX}agent-inject-secret-constructor`,
    `${PREFIX}agent-inject-secret-${"x".repeat(5000)}`,
  ),
);

export const annotationValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "true",
    "false",
    "\0",
    "../../..",
    "/",
    "/etc/passwd",
    "C:\\Windows",
    "..\\..\\x",
    "-1",
    "99999999999999999999",
    "1e400",
    "NaN",
    "{{",
    '{{ define "a" }}{{ template "a" }}{{ end }}{{ template "a" }}',
    "[",
    '[{"op":"add","path":"/x","value":1}]',
    "x".repeat(100_000),
    "\u202e\u0000\ud800",
  ),
);

const annotationSet = fc.dictionary(annotationName, annotationValue, { maxKeys: 10 });

/** Any result is skip, patch or a reject with a message; a patch applies and gives a valid pod. */
function checkOne(extra: Record<string, string>, base: boolean): void {
  const pod: Pod = podWith(extra, base);
  const r = injectAndApply(pod);
  assert.ok(["skip", "patch", "reject"].includes(r.kind), `unexpected result ${r.kind}`);
  if (r.kind === "reject") {
    assert.equal(typeof r.message, "string");
    assert.ok(r.message.trim().length > 0, "a rejection must say why");
    return;
  }
  if (r.kind !== "patch" || !r.pod) return;
  validatePod(r.pod);
  assertTokenOnlyInAgents(r.pod);
  for (const view of templateDestinations(r.pod)) assertConfined(view);
}

export function arbitraryAnnotations(): void {
  fc.assert(
    fc.property(annotationSet, fc.boolean(), (extra, base) => checkOne(extra, base)),
    { numRuns: 400 },
  );
}

/** A rejection caused by one bad value names that annotation, so the user knows what to fix. */
export function rejectionsNameTheAnnotation(): void {
  const globals = ANNOTATIONS.filter((d) => d.kind === "global").map((d) => fullName(d));
  fc.assert(
    fc.property(fc.constantFrom(...globals), annotationValue, (name, value) => {
      const r = injectAndApply(podWith({ [name]: value }));
      if (r.kind === "reject")
        assert.ok(r.message.includes(PREFIX), `message names no annotation: ${r.message}`);
    }),
    { numRuns: 400 },
  );
}
