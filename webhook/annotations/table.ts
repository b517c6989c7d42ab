import type { AnnotationDef } from "./table/define.ts";
import { INJECTION } from "./table/injection.ts";
import { SECRETS } from "./table/secrets.ts";
import { AGENT } from "./table/agent.ts";
import { VAULT } from "./table/vault.ts";
import { VAULTLET } from "./table/vaultlet.ts";

export type { AnnotationDef, AnnotationKind, Section } from "./table/define.ts";

/**
 * Every `vault.hashicorp.com/*` annotation vaultlet understands, declared
 * once: name, kind, value parser, default and documentation. The parser,
 * the unknown-name warnings and deploy/docs/annotations.md all read this
 * table, so an annotation cannot be understood but undocumented. Each
 * section's entries live in table/<section>.ts; this is their one union.
 */
export const PREFIX = "vault.hashicorp.com/";

export const A = { ...INJECTION, ...SECRETS, ...AGENT, ...VAULT, ...VAULTLET } as const;

export const ANNOTATIONS: readonly AnnotationDef[] = Object.values(A) as AnnotationDef[];

/** Secret-defining prefixes in the reference's matching order. */
export const SECRET_DEFINING: readonly AnnotationDef<string>[] = [
  A.secret,
  A.templateFile,
  A.template,
];

/** Built once: the admission path asks for these names many times per pod. */
const FULL_NAMES: ReadonlyMap<AnnotationDef, string> = new Map(
  ANNOTATIONS.map((d) => [d, PREFIX + d.name]),
);

export function fullName(d: AnnotationDef, suffix?: string): string {
  if (suffix === undefined) return FULL_NAMES.get(d) ?? PREFIX + d.name;
  return `${PREFIX}${d.name}-${suffix}`;
}
