import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import jsonpatch from "fast-json-patch";
import { Pod as PodModel } from "kubernetes-models/v1/Pod";
import { injectPod, type InjectResult } from "../../../webhook/mutate/inject.ts";
import type { Container, Pod } from "../../../webhook/pod.ts";
import type { VaultAgentJson } from "../../../webhook/mutate/agent-config.ts";
import { defaultSettings, type InjectorSettings } from "../../../webhook/settings.ts";

export const P = "vault.hashicorp.com/";

export const SETTINGS: InjectorSettings = Object.freeze({
  ...defaultSettings(),
  vaultAddress: "https://vault.example:8200",
});

export function fixturePod(name: string): Pod {
  const url = new URL(`../../fixtures/pods/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Pod;
}

/** A fixture pod with `vault.hashicorp.com/` annotations added (keys given without the prefix). */
export function annotated(
  name: string,
  annotations: Record<string, string>,
  role: string | null = "app",
): Pod {
  const pod = fixturePod(name);
  const extra: Record<string, string> = { [`${P}agent-inject`]: "true" };
  if (role !== null) extra[`${P}role`] = role;
  for (const [k, v] of Object.entries(annotations)) extra[k.includes("/") ? k : P + k] = v;
  pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...extra } };
  return pod;
}

export interface Injected {
  result: Extract<InjectResult, { kind: "patch" }>;
  pod: Pod;
}

/**
 * Injects, applies the patch with a JSON-patch library to a copy of the
 * input, and validates the result against the Kubernetes Pod schema.
 */
export function inject(
  pod: Pod,
  settings: InjectorSettings = SETTINGS,
  namespace = "default",
): Injected {
  const before = JSON.stringify(pod);
  const result = injectPod(pod, namespace, settings);
  assert.equal(JSON.stringify(pod), before, "injectPod must not modify its input");
  if (result.kind !== "patch") assert.fail(`expected a patch, got ${JSON.stringify(result)}`);
  for (const op of result.patch)
    assert.ok(op.op === "add" || op.op === "remove", `only add/remove ops, got ${op.op}`);
  const patched = jsonpatch.applyPatch(
    jsonpatch.deepClone(pod),
    jsonpatch.deepClone(result.patch),
    true,
    false,
  ).newDocument as Pod;
  validatePod(patched);
  return { result, pod: patched };
}

export function validatePod(pod: Pod): void {
  const obj = { apiVersion: "v1", kind: "Pod", ...pod, metadata: { name: "x", ...pod.metadata } };
  new PodModel(obj as never).validate();
}

export function reject(
  pod: Pod,
  settings: InjectorSettings = SETTINGS,
  namespace = "default",
): Extract<InjectResult, { kind: "reject" }> {
  const result = injectPod(pod, namespace, settings);
  if (result.kind !== "reject") assert.fail(`expected a rejection, got ${result.kind}`);
  return result;
}

export function initContainer(pod: Pod, name: string): Container {
  const c = pod.spec?.initContainers?.find((x) => x.name === name);
  assert.ok(c, `init container ${name} missing`);
  return c;
}

export function container(pod: Pod, name: string): Container {
  const c = pod.spec?.containers?.find((x) => x.name === name);
  assert.ok(c, `container ${name} missing`);
  return c;
}

export function agentConfig(c: Container): VaultAgentJson {
  const env = c.env?.find((e) => e.name === "VAULT_CONFIG");
  assert.ok(env?.value, `${c.name} has no VAULT_CONFIG`);
  return JSON.parse(Buffer.from(env.value, "base64").toString("utf8")) as VaultAgentJson;
}

export function envOf(c: Container): Record<string, string | undefined> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
}

export function mountPaths(c: Container): Record<string, string> {
  return Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.name, m.mountPath]));
}

export function volumeNames(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).map((v) => v.name);
}
