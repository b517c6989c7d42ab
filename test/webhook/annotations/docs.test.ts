import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  DOCS_PATH,
  formattedAnnotationDocs,
  renderAnnotationDocs,
} from "../../../webhook/annotations/docs.ts";
import { ANNOTATIONS } from "../../../webhook/annotations/table.ts";

test("the committed annotation reference is the generated one (run node webhook/annotations/docs.ts)", async () => {
  const committed = readFileSync(new URL(`../../../${DOCS_PATH}`, import.meta.url), "utf8");
  assert.equal(committed, await formattedAnnotationDocs());
});

test("every annotation appears in the reference, extensions marked", () => {
  const doc = renderAnnotationDocs();
  for (const d of ANNOTATIONS) assert.ok(doc.includes(`\`${d.name}`), d.name);
  const extensions = doc.slice(
    doc.indexOf("## vaultlet extensions"),
    doc.indexOf("## What the agent containers run"),
  );
  for (const d of ANNOTATIONS.filter((a) => a.extension))
    assert.ok(extensions.includes(`\`${d.name}`), d.name);
});
