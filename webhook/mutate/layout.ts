import type { InjectionSpec } from "../annotations/spec.ts";

export type InjectionType = "init_and_sidecar" | "init_only" | "sidecar_only" | "native_sidecar";

/**
 * Which agent containers a pod gets.
 * - init: `vault-agent-init`, renders once before the app (exit_after_auth)
 * - sidecar: `vault-agent` among the app containers
 * - native: `vault-agent` as an init container with restartPolicy Always,
 *   the only agent; its startup probe holds the app back until the first
 *   render when pre-populate is on
 */
export interface Layout {
  readonly init: boolean;
  readonly sidecar: boolean;
  readonly native: boolean;
  readonly type: InjectionType;
}

export function layoutFor(spec: InjectionSpec): Layout {
  if (spec.prePopulateOnly) return { init: true, sidecar: false, native: false, type: "init_only" };
  if (spec.nativeSidecar)
    return { init: false, sidecar: false, native: true, type: "native_sidecar" };
  if (!spec.prePopulate) return { init: false, sidecar: true, native: false, type: "sidecar_only" };
  return { init: true, sidecar: true, native: false, type: "init_and_sidecar" };
}
