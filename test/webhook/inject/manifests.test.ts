import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fastJsonPatch from "fast-json-patch";
import { parseAllDocuments } from "yaml";
import { Pod } from "kubernetes-models/v1";
import { Deployment, StatefulSet, DaemonSet, ReplicaSet } from "kubernetes-models/apps/v1";
import { Job, CronJob } from "kubernetes-models/batch/v1";
import { injectManifests } from "../../../webhook/inject/manifests.ts";
import { TEMPLATE_PATHS, getPath } from "../../../webhook/inject/workloads.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { defaultSettings } from "../../../webhook/settings.ts";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURES = new URL("../../fixtures/manifests/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), "utf8");
const settings = { ...defaultSettings(), vaultAddress: "https://vault.vault.svc:8200" };
const run = (text: string, extra: { namespace?: string; source?: string } = {}) =>
  injectManifests(text, { settings, inject: injectPod, source: "workloads.yaml", ...extra });

const VALIDATORS: Record<string, (obj: Json) => void> = {
  Pod: (o) => new Pod(o).validate(),
  Deployment: (o) => new Deployment(o).validate(),
  StatefulSet: (o) => new StatefulSet(o).validate(),
  DaemonSet: (o) => new DaemonSet(o).validate(),
  ReplicaSet: (o) => new ReplicaSet(o).validate(),
  Job: (o) => new Job(o).validate(),
  CronJob: (o) => new CronJob(o).validate(),
};

/** What the webhook would do to the same template, computed independently. */
function webhookResult(obj: Json, namespaceDefault = "default"): Json {
  const path = TEMPLATE_PATHS[obj.kind]!;
  const template = path.length === 0 ? obj : getPath(obj, path);
  const namespace = obj.metadata?.namespace ?? namespaceDefault;
  const pod =
    obj.kind === "Pod"
      ? { ...obj, metadata: { ...obj.metadata, namespace } }
      : {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { ...template.metadata, namespace },
          spec: template.spec,
        };
  const result = injectPod(pod, namespace, settings);
  assert.equal(result.kind, "patch", `${obj.kind}/${obj.metadata.name}: ${JSON.stringify(result)}`);
  if (result.kind !== "patch") return undefined;
  const patched = fastJsonPatch.applyPatch(
    structuredClone(pod),
    structuredClone(result.patch) as never,
  ).newDocument as Json;
  if (template.metadata?.namespace === undefined) delete patched.metadata.namespace;
  return obj.kind === "Pod"
    ? patched
    : { ...template, metadata: patched.metadata, spec: patched.spec };
}

describe("offline injection of manifests", () => {
  const input = fixture("workloads.yaml");
  const inputDocs = parseAllDocuments(input).map((d) => d.toJS());
  const result = run(input);
  const outputDocs = parseAllDocuments(result.output).map((d) => d.toJS());

  test("no errors, one injection per annotated workload", () => {
    assert.deepEqual(result.errors, []);
    assert.equal(result.injected, 7);
    assert.equal(outputDocs.length, inputDocs.length);
  });

  for (const kind of [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Pod",
  ]) {
    test(`${kind}: the pod template is injected exactly as the webhook would, and the object is valid`, () => {
      const index = inputDocs.findIndex(
        (d) => d.kind === kind && d.metadata.name !== "static-site",
      );
      const before = inputDocs[index];
      const after = outputDocs[index];
      const path = TEMPLATE_PATHS[kind]!;
      const template = path.length === 0 ? after : getPath(after, path);
      assert.deepEqual(template, webhookResult(before));
      assert.equal(
        (template as Json).metadata.annotations["vault.hashicorp.com/agent-inject-status"],
        "injected",
      );
      VALIDATORS[kind]!(after);
      // Everything outside the template is untouched.
      const strip = (o: Json) => {
        const c = structuredClone(o);
        if (path.length === 0)
          return { apiVersion: c.apiVersion, kind: c.kind, name: c.metadata.name };
        let node = c;
        for (const k of path.slice(0, -1)) node = node[k];
        delete node[path.at(-1)!];
        return c;
      };
      assert.deepEqual(strip(after), strip(before));
    });
  }

  test("documents without an injected template are kept byte for byte, comments included", () => {
    const configMap = input.slice(0, input.indexOf("---\n"));
    assert.ok(result.output.startsWith(configMap));
    const tail = input.slice(input.indexOf("# A workload that does not ask for secrets"));
    assert.ok(
      result.output.endsWith(tail),
      "the un-annotated Deployment and the Service are unchanged",
    );
  });

  test("comments and key order inside injected documents are kept", () => {
    assert.match(result.output, /vault\.hashicorp\.com\/agent-inject: "true" # opt in/);
    assert.match(result.output, /image: registry\.example\/web:1\.4\.2 # pinned/);
    const web = result.output.slice(result.output.indexOf("name: web\n  namespace: shop"));
    assert.ok(web.indexOf("replicas: 2") < web.indexOf("selector:"));
  });

  test("injecting twice equals injecting once (byte for byte)", () => {
    const again = run(result.output);
    assert.equal(again.injected, 0);
    assert.equal(again.output, result.output);
  });

  test("a v1 List has each item injected; other items untouched", () => {
    const list = run(fixture("list.yaml"), { source: "list.yaml" });
    assert.deepEqual(list.errors, []);
    assert.equal(list.injected, 2);
    const before = parseAllDocuments(fixture("list.yaml"))[0]!.toJS();
    const after = parseAllDocuments(list.output)[0]!.toJS();
    assert.deepEqual(after.items[0].spec.template, webhookResult(before.items[0]));
    assert.deepEqual(after.items[1], before.items[1]);
    assert.deepEqual(after.items[2], webhookResult(before.items[2]));
    assert.ok(list.output.startsWith("# kubectl get -o yaml output: a v1 List\n"));
  });

  test("a refused annotation is an error naming the document, object and annotation", () => {
    const out = run(fixture("rejected.yaml"), { source: "rejected.yaml" });
    assert.equal(out.errors.length, 1);
    assert.match(
      out.errors[0]!,
      /^rejected\.yaml: document 2 Deployment\/greedy: .*vault\.hashicorp\.com\/agent-limits-cpu/,
    );
  });

  test("warnings are prefixed with the document and object", () => {
    const out = run(fixture("warnings.yaml"), { source: "warnings.yaml" });
    assert.deepEqual(out.errors, []);
    assert.ok(out.warnings.length > 0);
    for (const w of out.warnings) assert.match(w, /^warnings\.yaml: document 1 Deployment\/typo: /);
    assert.ok(out.warnings.some((w) => w.includes("vault.hashicorp.com/agent-inject-secrt-db")));
  });

  test('namespace comes from metadata, else from the option (default "default")', () => {
    const fromMetadata = run(fixture("system-namespace.yaml"));
    assert.equal(fromMetadata.errors.length, 1);
    assert.match(fromMetadata.errors[0]!, /kube-system/);
    const noNamespace = fixture("warnings.yaml").replace("  namespace: shop\n", "");
    assert.deepEqual(run(noNamespace).errors, []);
    const refused = run(noNamespace, { namespace: "kube-public" });
    assert.match(refused.errors[0]!, /kube-public/);
  });

  test("invalid YAML is an INVALID_MANIFEST error naming the document", () => {
    assert.throws(
      () => run("kind: ConfigMap\n---\nkind: [unclosed\n"),
      (err: Error & { code?: string }) =>
        err.code === "INVALID_MANIFEST" && /document 2: not valid YAML/.test(err.message),
    );
  });

  test("empty input and comment-only input pass through", () => {
    assert.equal(run("").output, "");
    assert.equal(run("# nothing here\n").output, "# nothing here\n");
  });
});
