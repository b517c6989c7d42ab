import type { Dependency, PkiCertValue, SecretValue } from "../template/types.ts";
import type { VaultResponse } from "./calls.ts";

/** what the store hands to templates for a dependency */
export type StoredValue = SecretValue | string[] | PkiCertValue;

/** Vault's envelope in the shape templates see (consul-template's field names) */
export function toStoredValue(dep: Dependency, res: VaultResponse): StoredValue {
  const data = (res.data ?? {}) as Record<string, unknown>;
  if (dep.kind === "secret.list") {
    const keys = data["keys"];
    return Array.isArray(keys) ? keys.map(String) : [];
  }
  if (dep.kind === "pki.cert") {
    const chain = data["ca_chain"];
    return {
      Cert: pem(data["certificate"]),
      Key: pem(data["private_key"]),
      CA: pem(data["issuing_ca"]),
      CAChain: Array.isArray(chain) ? chain.map(String) : [],
      Data: data,
    };
  }
  return {
    RequestID: res.request_id ?? "",
    LeaseID: res.lease_id ?? "",
    LeaseDuration: res.lease_duration ?? 0,
    Renewable: res.renewable ?? false,
    Data: data,
    Warnings: res.warnings ?? null,
    Auth: res.auth ?? null,
    WrapInfo: res.wrap_info ?? null,
  };
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

/**
 * A PEM block as pkiCert shows it: ending in a newline, as Go's PEM encoder
 * writes it (Vault's JSON leaves the newline off; Vault Agent renders it).
 */
function pem(v: unknown): string {
  const text = str(v);
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
