import { VaultletError } from "../../shared/errors.ts";
import { parseGoBool } from "../annotations/values.ts";
import { AnnotationError, parseInjectionSpec } from "../annotations/parse.ts";
import type { InjectionSpec } from "../annotations/spec.ts";
import { A, fullName } from "../annotations/table.ts";
import type { InjectorSettings } from "../settings.ts";
import { agentContainer } from "./containers.ts";
import { layoutFor, type InjectionType, type Layout } from "./layout.ts";
import {
  CONTAINER_INIT,
  CONTAINER_SIDECAR,
  OPS_PORT,
  STATUS_INJECTED,
  VOLUME_TOKEN,
} from "./names.ts";
import { PatchBuilder, pointer, type JsonPatchOperation } from "./patch.ts";
import type { Container, Pod } from "../pod.ts";
import { annotationsOf, containersOf, initContainersOf, podShapeProblem } from "../pod.ts";
import { podVolumes, secretsMounts } from "./volumes.ts";

export type { JsonPatchOperation } from "./patch.ts";
export type { InjectionType } from "./layout.ts";

export type InjectResult =
  | { kind: "skip"; reason: string }
  | { kind: "patch"; patch: JsonPatchOperation[]; warnings: string[]; injectionType: InjectionType }
  | { kind: "reject"; message: string; warnings: string[] };

/** Namespaces the injector refuses, as the reference does. */
export const SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "kube-public"];

/**
 * Pod (as JSON) -> what the admission response should say. Pure: no I/O, no
 * clock, no randomness; the same pod and settings always give the same patch.
 * Order of checks follows the reference: opted in, not yet injected, phase,
 * namespace, annotations, then the patch.
 */
export function injectPod(
  pod: unknown,
  namespace: string,
  settings: InjectorSettings,
): InjectResult {
  const shape = podShapeProblem(pod);
  if (shape !== undefined)
    return { kind: "reject", message: `cannot inject: ${shape}`, warnings: [] };
  const p = pod as Pod;
  const annotations = annotationsOf(p);

  const flag = annotations[fullName(A.inject)];
  if (flag === undefined) return { kind: "skip", reason: `${fullName(A.inject)} is not set` };
  let wanted: boolean;
  try {
    wanted = parseGoBool(flag);
  } catch (err) {
    return {
      kind: "reject",
      message: `${fullName(A.inject)}: ${JSON.stringify(flag)} ${(err as Error).message}`,
      warnings: [],
    };
  }
  if (!wanted) return { kind: "skip", reason: `${fullName(A.inject)} is false` };
  if (annotations[fullName(A.status)] === STATUS_INJECTED) {
    return { kind: "skip", reason: `${fullName(A.status)} is already "${STATUS_INJECTED}"` };
  }
  const phase = p.status?.phase;
  if (phase !== undefined && phase !== "" && phase !== "Pending") {
    return { kind: "skip", reason: `the pod is ${phase}; only new (Pending) pods are injected` };
  }
  if (SYSTEM_NAMESPACES.includes(namespace)) {
    return {
      kind: "reject",
      message: `cannot inject into the system namespace ${namespace}`,
      warnings: [],
    };
  }

  let spec: InjectionSpec;
  let warnings: string[];
  try {
    ({ spec, warnings } = parseInjectionSpec(p, settings));
  } catch (err) {
    return rejection(err, err instanceof AnnotationError ? err.warnings : []);
  }
  try {
    const layout = layoutFor(spec);
    warnings.push(...podWarnings(spec, p));
    checkConflicts(spec, p, layout);
    return {
      kind: "patch",
      patch: buildPatch(spec, p, layout),
      warnings,
      injectionType: layout.type,
    };
  } catch (err) {
    return rejection(err, warnings);
  }
}

function rejection(err: unknown, warnings: string[]): InjectResult {
  if (err instanceof VaultletError) return { kind: "reject", message: err.message, warnings };
  throw err;
}

/** The JSON patch, in the reference injector's order. */
function buildPatch(spec: InjectionSpec, pod: Pod, layout: Layout): JsonPatchOperation[] {
  const b = new PatchBuilder();
  const volumesPath = pointer("spec", "volumes");
  b.appendToList(volumesPath, pod.spec?.volumes, podVolumes(spec, layout));

  const appMounts = secretsMounts(spec, spec.secretsReadOnly);
  containersOf(pod).forEach((c, i) => {
    if (spec.appContainers.includes(c.name)) {
      b.appendToList(pointer("spec", "containers", i, "volumeMounts"), c.volumeMounts, appMounts);
    }
  });

  const agentInit: Container | undefined = layout.init
    ? agentContainer(spec, pod, "init")
    : layout.native
      ? agentContainer(spec, pod, "native")
      : undefined;
  if (agentInit) {
    const initPath = pointer("spec", "initContainers");
    const existing = initContainersOf(pod);
    // Other init containers get the secrets too (they may run after the agent).
    existing.forEach((c, i) => {
      b.appendToList(
        pointer("spec", "initContainers", i, "volumeMounts"),
        c.volumeMounts,
        appMounts,
      );
    });
    if (spec.initFirst && existing.length > 0)
      b.insertIntoList(initPath, pod.spec?.initContainers, 0, agentInit);
    else b.appendToList(initPath, pod.spec?.initContainers, [agentInit]);
  }

  if (spec.shareProcessNamespace !== undefined)
    b.add(pointer("spec", "shareProcessNamespace"), spec.shareProcessNamespace);

  if (layout.sidecar)
    b.appendToList(pointer("spec", "containers"), pod.spec?.containers, [
      agentContainer(spec, pod, "sidecar"),
    ]);

  b.setMapEntry(
    pointer("metadata", "annotations"),
    pod.metadata?.annotations,
    fullName(A.status),
    STATUS_INJECTED,
  );
  return b.build();
}

/** Things the API server would reject with a vaguer message, or that silently do nothing. */
function checkConflicts(spec: InjectionSpec, pod: Pod, layout: Layout): void {
  const ours = new Set(podVolumes(spec, layout).map((v) => v.name));
  for (const v of pod.spec?.volumes ?? []) {
    if (ours.has(v.name)) {
      throw new VaultletError(
        "INVALID_ANNOTATION",
        `the pod already has a volume named "${v.name}", which the injector adds; rename that volume`,
      );
    }
  }
  // A mount of the token volume the injector adds would hand the
  // Vault-audience token to a container of the pod's own, not only to agents.
  for (const c of [...containersOf(pod), ...initContainersOf(pod)]) {
    if (ours.has(VOLUME_TOKEN) && (c.volumeMounts ?? []).some((m) => m.name === VOLUME_TOKEN)) {
      throw new VaultletError(
        "INVALID_ANNOTATION",
        `container "${c.name}" mounts the volume "${VOLUME_TOKEN}", which the injector adds for its agents only; remove that mount`,
      );
    }
  }
  const names = [...containersOf(pod), ...initContainersOf(pod)].map((c) => c.name);
  for (const n of [CONTAINER_INIT, CONTAINER_SIDECAR]) {
    if (names.includes(n)) {
      throw new VaultletError(
        "INVALID_ANNOTATION",
        `the pod already has a container named "${n}"; it was injected before (set ${fullName(A.status)} back to "${STATUS_INJECTED}") or rename that container`,
      );
    }
  }
  const paths = secretsMounts(spec, false).map((m) => m.mountPath);
  const targets = [
    ...containersOf(pod).filter((c) => spec.appContainers.includes(c.name)),
    ...(layout.init || layout.native ? initContainersOf(pod) : []),
  ];
  for (const c of targets) {
    const clash = (c.volumeMounts ?? []).find((m) => paths.includes(m.mountPath));
    if (clash) {
      throw new VaultletError(
        "INVALID_ANNOTATION",
        `container "${c.name}" already mounts "${clash.name}" at ${clash.mountPath}, where the secrets volume goes; ` +
          `set ${fullName(A.secretVolumePath)} to another path`,
      );
    }
  }
}

function podWarnings(spec: InjectionSpec, pod: Pod): string[] {
  const out: string[] = [];
  const names = containersOf(pod).map((c) => c.name);
  for (const n of spec.appContainers) {
    if (!names.includes(n))
      out.push(`${fullName(A.containers)} names "${n}", which is not a container of this pod`);
  }
  if (spec.nativeSidecar && !spec.prePopulateOnly) {
    const clash = [...containersOf(pod), ...initContainersOf(pod)].find((c) =>
      (c.ports ?? []).some((p) => p.containerPort === OPS_PORT),
    );
    if (clash) {
      out.push(
        `container "${clash.name}" declares port ${OPS_PORT}, which the native sidecar's ops endpoint (startup probe) listens on in the same pod`,
      );
    }
  }
  const from = spec.copyVolumeMountsFrom;
  if (
    from !== undefined &&
    ![...names, ...initContainersOf(pod).map((c) => c.name)].includes(from)
  ) {
    out.push(
      `${fullName(A.copyVolumeMounts)} names "${from}", which is not a container of this pod; nothing is copied`,
    );
  }
  return out;
}
