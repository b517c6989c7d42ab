import type { V1Container, V1Pod } from "@kubernetes/client-node";

export type {
  V1Container as Container,
  V1EnvVar as EnvVar,
  V1Pod as Pod,
  V1Volume as Volume,
  V1VolumeMount as VolumeMount,
} from "@kubernetes/client-node";

/**
 * Checks just enough of an untrusted pod object to read it safely: it must
 * be an object whose metadata, spec and container lists have the right
 * JSON types. Anything deeper is the API server's business.
 * Returns an error message, or undefined when the pod is usable.
 */
export function podShapeProblem(pod: unknown): string | undefined {
  if (!isObject(pod)) return "the object is not a Pod (expected a JSON object)";
  const meta = pod.metadata;
  if (meta !== undefined && meta !== null && !isObject(meta)) return "metadata is not an object";
  if (isObject(meta) && meta.annotations !== undefined && meta.annotations !== null) {
    if (!isObject(meta.annotations)) return "metadata.annotations is not an object";
    for (const [k, v] of Object.entries(meta.annotations)) {
      if (typeof v !== "string") return `annotation ${k} is not a string`;
    }
  }
  const spec = pod.spec;
  if (!isObject(spec)) return "spec is missing or not an object";
  for (const list of ["containers", "initContainers", "volumes"] as const) {
    const v = spec[list];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) return `spec.${list} is not a list`;
    for (const [i, item] of v.entries()) {
      if (!isObject(item)) return `spec.${list}[${i}] is not an object`;
      if (list !== "volumes" && item.volumeMounts != null && !Array.isArray(item.volumeMounts)) {
        return `spec.${list}[${i}].volumeMounts is not a list`;
      }
    }
  }
  if (!Array.isArray(spec.containers) || spec.containers.length === 0)
    return "spec.containers is empty";
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function annotationsOf(pod: V1Pod): Readonly<Record<string, string>> {
  return pod.metadata?.annotations ?? {};
}

export function containersOf(pod: V1Pod): V1Container[] {
  return pod.spec?.containers ?? [];
}

export function initContainersOf(pod: V1Pod): V1Container[] {
  return pod.spec?.initContainers ?? [];
}
