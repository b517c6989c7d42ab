import type { Dependency } from "../template/types.ts";
import type { VaultResponse } from "./calls.ts";
import { kindOf, type StoredValue } from "./kinds/index.ts";

export type { StoredValue } from "./kinds/index.ts";

/** What templates see of Vault's answer, as the dependency's kind shapes it. */
export function toStoredValue(dep: Dependency, res: VaultResponse): StoredValue {
  return kindOf(dep).value(dep, res);
}

/**
 * Identity of a value for change detection: everything a template can see
 * except the request id, which differs on every read of unchanged data.
 */
export function fingerprint(value: StoredValue): string {
  if (Array.isArray(value) || !("RequestID" in value)) return JSON.stringify(value);
  const { RequestID: _ignored, ...rest } = value;
  return JSON.stringify(rest);
}
