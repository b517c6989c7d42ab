import type { V1Container, V1Pod } from "@kubernetes/client-node";

export type {
  V1Container as Container,
  V1EnvVar as EnvVar,
  V1Pod as Pod,
  V1Volume as Volume,
  V1VolumeMount as VolumeMount,
} from "@kubernetes/client-node";
import { isObject } from "../shared/own.ts";

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
      const where = `spec.${list}[${i}]`;
      if (!isObject(item)) return `${where} is not an object`;
      if (typeof item.name !== "string") return `${where}.name is not a string`;
      if (list !== "volumes") {
        const problem = containerProblem(item, where);
        if (problem) return problem;
      }
    }
  }
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    return "spec.containers is empty";
  }
  if (spec.shareProcessNamespace != null && typeof spec.shareProcessNamespace !== "boolean") {
    return "spec.shareProcessNamespace is not a boolean";
  }
  const status = pod.status;
  if (
    status != null &&
    (!isObject(status) || (status.phase != null && typeof status.phase !== "string"))
  ) {
    return "status.phase is not a string";
  }
  return undefined;
}

function containerProblem(c: Record<string, unknown>, where: string): string | undefined {
  const mounts = c.volumeMounts;
  if (mounts !== undefined && mounts !== null) {
    if (!Array.isArray(mounts)) return `${where}.volumeMounts is not a list`;
    for (const [j, m] of mounts.entries()) {
      if (!isObject(m) || typeof m.name !== "string" || typeof m.mountPath !== "string") {
        return `${where}.volumeMounts[${j}] needs a string name and mountPath`;
      }
    }
  }
  for (const field of ["env", "ports"] as const) {
    if (c[field] !== undefined && c[field] !== null && !Array.isArray(c[field]))
      return `${where}.${field} is not a list`;
  }
  const sc = c.securityContext;
  if (sc !== undefined && sc !== null) {
    if (!isObject(sc)) return `${where}.securityContext is not an object`;
    if (sc.runAsUser !== undefined && sc.runAsUser !== null && !Number.isInteger(sc.runAsUser)) {
      return `${where}.securityContext.runAsUser is not an integer`;
    }
  }
  return undefined;
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
