import type { Dependency, DependencyKind } from "../../template/types.ts";
import type { DependencyKindModule } from "./kind.ts";
import { secretList } from "./list.ts";
import { pkiCert } from "./pki-cert.ts";
import { secretRead } from "./read.ts";
import { secretWrite } from "./write.ts";

export type { DependencyKindModule, RequestContext, StoredValue } from "./kind.ts";

/** Every dependency kind, by name: the one place a new kind is added. */
export const KINDS: Readonly<Record<DependencyKind, DependencyKindModule>> = {
  "secret.read": secretRead,
  "secret.write": secretWrite,
  "secret.list": secretList,
  "pki.cert": pkiCert,
};

export function kindOf(dep: Dependency): DependencyKindModule {
  return KINDS[dep.kind];
}
