import type { InjectorSettings } from "../../settings.ts";

/**
 * global: the name alone. per-secret: `NAME-<secret>` (the secret's suffix).
 * keyed: `NAME-<key>` where the suffix is a free key (auth-config-*, agent-telemetry-*).
 */
export type AnnotationKind = "global" | "per-secret" | "keyed";

export type Section = "injection" | "secrets" | "agent" | "vault" | "vaultlet";

export interface AnnotationDef<T = unknown> {
  /** name without the `vault.hashicorp.com/` prefix (and without the `-NAME` suffix) */
  readonly name: string;
  readonly kind: AnnotationKind;
  readonly section: Section;
  /** the accepted form, for docs and error messages */
  readonly form: string;
  readonly parse: (raw: string) => T;
  /** the value when the annotation is absent; may come from the injector settings */
  readonly defaultValue?: (settings: InjectorSettings) => T | undefined;
  /** how the default reads in the docs */
  readonly defaultDoc: string;
  readonly doc: string;
  /** true for annotations vaultlet adds beyond the reference injector */
  readonly extension?: boolean;
}

export function def<T>(d: AnnotationDef<T>): AnnotationDef<T> {
  return Object.freeze(d);
}

export const BOOL_FORM = "boolean (true/false, 1/0, t/f)";
