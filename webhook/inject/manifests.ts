import { isDeepStrictEqual } from "node:util";
import fastJsonPatch from "fast-json-patch";
import { Composer, CST, Parser, isMap, isSeq, type Document } from "yaml";
import { VaultletError } from "../../shared/errors.ts";
import type { JsonPatchOperation } from "../mutate/inject.ts";
import type { InjectFn } from "../server/admission.ts";
import type { InjectorSettings } from "../settings.ts";
import {
  TEMPLATE_PATHS,
  getPath,
  isListKind,
  isObject,
  objectLabel,
  type Json,
} from "./workloads.ts";

export const DEFAULT_NAMESPACE = "default";

export interface InjectManifestsOptions {
  readonly settings: InjectorSettings;
  readonly inject: InjectFn;
  /** Namespace for objects without metadata.namespace (kubectl's default is "default"). */
  readonly namespace?: string;
  /** Name of the input for messages ("deploy.yaml", "stdin"). */
  readonly source?: string;
}

export interface InjectManifestsResult {
  /** The rewritten YAML; documents without an injected pod template are byte for byte as given. */
  readonly output: string;
  /** Number of pod templates injected. */
  readonly injected: number;
  /** Admission warnings, each prefixed with the source, document and object. */
  readonly warnings: string[];
  /** Refusals (bad annotations, system namespaces), prefixed the same way; output must not be used. */
  readonly errors: string[];
}

type Segment = string | number;

/** A pod template found in a document: where it is, and what injection said about it. */
interface Site {
  /** Path of the pod template (the Pod itself for a Pod). */
  readonly path: readonly Segment[];
  /** Path of the object that owns it, whose namespace applies. */
  readonly ownerPath: readonly Segment[];
  readonly label: string;
}

/**
 * Offline injection: every pod template in a multi-document YAML stream is
 * passed through the same injector as the webhook, and its JSON patch is
 * applied to the YAML tree itself, so comments, key order and formatting
 * of everything else are kept. Documents with nothing to inject are copied
 * unchanged. Running it on its own output changes nothing: injected pods
 * carry the status annotation and are skipped.
 */
export function injectManifests(text: string, opts: InjectManifestsOptions): InjectManifestsResult {
  const source = opts.source ?? "input";
  const warnings: string[] = [];
  const errors: string[] = [];
  let injected = 0;
  let out = "";
  let docNumber = 0;

  for (const token of new Parser().parse(text)) {
    if (token.type !== "document") {
      out += CST.stringify(token);
      continue;
    }
    docNumber++;
    const docs = [...new Composer({ keepSourceTokens: false }).compose([token])];
    const doc = docs[0];
    const where = `${source}: document ${docNumber}`;
    if (!doc) {
      out += CST.stringify(token);
      continue;
    }
    if (doc.errors.length > 0) {
      throw new VaultletError(
        "INVALID_MANIFEST",
        `${where}: not valid YAML: ${doc.errors[0]!.message}`,
      );
    }
    const js: unknown = doc.toJS({ maxAliasCount: 1000 });
    let changed = false;
    for (const site of templateSites(js, [], where)) {
      const result = injectSite(doc, js, site, opts);
      warnings.push(...result.warnings.map((w) => `${site.label}: ${w}`));
      if (result.error) errors.push(`${site.label}: ${result.error}`);
      if (result.changed) {
        changed = true;
        injected++;
      }
    }
    out += changed
      ? doc.toString({ lineWidth: 0, flowCollectionPadding: false })
      : CST.stringify(token);
  }
  return { output: out, injected, warnings, errors };
}

function templateSites(obj: unknown, path: Segment[], where: string): Site[] {
  if (!isObject(obj)) return [];
  if (isListKind(obj["kind"]) && Array.isArray(obj["items"])) {
    return obj["items"].flatMap((item, i) =>
      templateSites(item, [...path, "items", i], `${where} items[${i}]`),
    );
  }
  const kind = obj["kind"];
  const templatePath = typeof kind === "string" ? TEMPLATE_PATHS[kind] : undefined;
  if (!templatePath) return [];
  if (!isObject(getPath(obj, templatePath))) return [];
  return [
    { path: [...path, ...templatePath], ownerPath: path, label: `${where} ${objectLabel(obj)}` },
  ];
}

interface SiteResult {
  readonly changed: boolean;
  readonly warnings: string[];
  readonly error?: string;
}

function injectSite(
  doc: Document,
  js: unknown,
  site: Site,
  opts: InjectManifestsOptions,
): SiteResult {
  const owner = getPath(js, site.ownerPath) as Json;
  const template = getPath(js, site.path) as Json;
  const ownerMeta = isObject(owner["metadata"]) ? owner["metadata"] : {};
  const namespace =
    typeof ownerMeta["namespace"] === "string" && ownerMeta["namespace"] !== ""
      ? ownerMeta["namespace"]
      : (opts.namespace ?? DEFAULT_NAMESPACE);
  const pod = asPod(template, namespace);
  let result;
  try {
    result = opts.inject(pod, namespace, opts.settings);
  } catch (err) {
    return { changed: false, warnings: [], error: `injection failed: ${(err as Error).message}` };
  }
  if (result.kind === "skip") return { changed: false, warnings: [] };
  if (result.kind === "reject")
    return { changed: false, warnings: result.warnings, error: result.message };

  // Cloned ops: applying `add /list [item]` then `add /list/- x` would otherwise grow the first op's value.
  const ops = structuredClone(result.patch);
  const expected = fastJsonPatch.applyPatch(structuredClone(pod), ops as never, true, false)
    .newDocument as Json;
  const prefix = site.path;
  try {
    for (const op of result.patch) applyToYaml(doc, prefix, op);
  } catch {
    replaceTemplate(doc, prefix, template, expected);
  }
  // The YAML tree must now hold exactly what the patch gives; if not, write the template whole.
  const got = getPath(doc.toJS(), prefix) as Json;
  const want = fromPod(template, expected);
  if (!isDeepStrictEqual(got, want)) replaceTemplate(doc, prefix, template, expected);
  return { changed: true, warnings: result.warnings };
}

/** A template as the Pod the API server would admit: its metadata with the namespace, and its spec. */
function asPod(template: Json, namespace: string): Json {
  const metadata = isObject(template["metadata"]) ? template["metadata"] : {};
  if (template["kind"] === "Pod") {
    return { ...template, metadata: { ...metadata, namespace } };
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...metadata, namespace },
    spec: template["spec"],
  };
}

/** The template as it should read after injection (namespace only if it had one). */
function fromPod(template: Json, pod: Json): Json {
  const metadata = { ...(pod["metadata"] as Json) };
  const original = isObject(template["metadata"]) ? template["metadata"] : undefined;
  if (original?.["namespace"] === undefined) delete metadata["namespace"];
  if (template["kind"] === "Pod") return { ...pod, metadata };
  const out: Json = { ...template, metadata };
  out["spec"] = pod["spec"];
  return out;
}

function replaceTemplate(
  doc: Document,
  prefix: readonly Segment[],
  template: Json,
  pod: Json,
): void {
  const next = fromPod(template, pod);
  if (prefix.length === 0) {
    doc.contents = doc.createNode(next) as never;
    return;
  }
  doc.setIn(prefix, doc.createNode(next));
}

/** One add/remove operation on the YAML tree, `prefix` being where the pod's root is. */
function applyToYaml(doc: Document, prefix: readonly Segment[], op: JsonPatchOperation): void {
  const segments = [...prefix, ...decodePointer(op.path)];
  const last = segments.at(-1);
  if (last === undefined) throw new Error("patch on the document root");
  const parentPath = segments.slice(0, -1);
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (op.op === "remove") {
    if (isSeq(parent)) parent.items.splice(Number(last), 1);
    else if (isMap(parent)) parent.delete(last);
    else throw new Error(`nothing to remove at ${op.path}`);
    return;
  }
  const node = doc.createNode(op.value);
  if (isSeq(parent)) {
    if (last === "-") parent.items.push(node);
    else parent.items.splice(Number(last), 0, node);
  } else if (isMap(parent)) {
    parent.set(last, node);
  } else if (parent === undefined || parent === null) {
    doc.setIn(segments, node);
  } else {
    throw new Error(`cannot add at ${op.path}`);
  }
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}
