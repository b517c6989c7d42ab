import { test } from "node:test";
import assert from "node:assert/strict";
import jsonpatch from "fast-json-patch";
import { escapePointerToken, PatchBuilder, pointer } from "../../../webhook/mutate/patch.ts";

test("RFC 6901 escaping: ~ before /", () => {
  const cases: Array<[string, string]> = [
    ["plain", "plain"],
    ["vault.hashicorp.com/agent-inject-status", "vault.hashicorp.com~1agent-inject-status"],
    ["a~b", "a~0b"],
    ["~/", "~0~1"],
    ["/~1", "~1~01"],
  ];
  for (const [raw, want] of cases) assert.equal(escapePointerToken(raw), want);
  assert.equal(pointer("metadata", "annotations", "a/b~c"), "/metadata/annotations/a~1b~0c");
  assert.equal(pointer("spec", "containers", 2, "volumeMounts"), "/spec/containers/2/volumeMounts");
});

test("escaped keys round-trip through a JSON-patch library", () => {
  const doc = { metadata: { annotations: { "x~y/z": "old" } } };
  const ops = new PatchBuilder()
    .setMapEntry(pointer("metadata", "annotations"), doc.metadata.annotations, "x~y/z", "new")
    .build();
  const out = jsonpatch.applyPatch(jsonpatch.deepClone(doc), ops, true, false).newDocument;
  assert.deepEqual(out.metadata.annotations, { "x~y/z": "new" });
});

test("absent list: first item creates it, later items append with /-", () => {
  const ops = new PatchBuilder()
    .appendToList("/spec/volumes", undefined, [{ name: "a" }, { name: "b" }])
    .appendToList("/spec/volumes", undefined, [{ name: "c" }])
    .build();
  assert.deepEqual(ops, [
    { op: "add", path: "/spec/volumes", value: [{ name: "a" }] },
    { op: "add", path: "/spec/volumes/-", value: { name: "b" } },
    { op: "add", path: "/spec/volumes/-", value: { name: "c" } },
  ]);
  const out = jsonpatch.applyPatch({ spec: {} }, jsonpatch.deepClone(ops), true, false).newDocument;
  assert.deepEqual(out, { spec: { volumes: [{ name: "a" }, { name: "b" }, { name: "c" }] } });
});

test("existing list (even empty): every item appends with /-", () => {
  const ops = new PatchBuilder().appendToList("/spec/volumes", [], [{ name: "a" }]).build();
  assert.deepEqual(ops, [{ op: "add", path: "/spec/volumes/-", value: { name: "a" } }]);
});

test("insert at an index, or create the list when it is absent", () => {
  assert.deepEqual(new PatchBuilder().insertIntoList("/l", [1], 0, 0).build(), [
    { op: "add", path: "/l/0", value: 0 },
  ]);
  assert.deepEqual(new PatchBuilder().insertIntoList("/l", undefined, 0, 0).build(), [
    { op: "add", path: "/l", value: [0] },
  ]);
});

test("absent map is created with its first entry; present map gets an escaped key", () => {
  const b = new PatchBuilder();
  b.setMapEntry("/metadata/annotations", undefined, "a/b", "1").setMapEntry(
    "/metadata/annotations",
    undefined,
    "c",
    "2",
  );
  assert.deepEqual(b.build(), [
    { op: "add", path: "/metadata/annotations", value: { "a/b": "1" } },
    { op: "add", path: "/metadata/annotations/c", value: "2" },
  ]);
  assert.deepEqual(new PatchBuilder().setMapEntry("/m", {}, "a/b", "1").build(), [
    { op: "add", path: "/m/a~1b", value: "1" },
  ]);
});

test("build returns a copy", () => {
  const b = new PatchBuilder().remove("/x");
  const first = b.build();
  b.add("/y", 1);
  assert.equal(first.length, 1);
  assert.deepEqual(first, [{ op: "remove", path: "/x" }]);
});
