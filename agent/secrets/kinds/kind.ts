import type {
  Dependency,
  DependencyKind,
  PkiCertValue,
  SecretValue,
} from "../../template/types.ts";
import type { KvMount, SecretCalls, VaultResponse } from "../calls.ts";

/** what the store hands to templates for a dependency */
export type StoredValue = SecretValue | string[] | PkiCertValue;

/** What a kind's request may use: the Vault calls and the remembered KV mounts. */
export interface RequestContext {
  readonly calls: SecretCalls;
  readonly token: string;
  /** the KV mount holding `path`, remembered for the agent's life; undefined when not KV */
  kvMount(path: string): Promise<KvMount | undefined>;
}

/**
 * One kind of dependency, as consul-template keeps one file per kind: how to
 * ask Vault for it, what templates see of the answer, and how it is kept
 * fresh. The store, the runner and the schedule read these and never switch
 * on the kind.
 */
export interface DependencyKindModule {
  readonly kind: DependencyKind;
  request(dep: Dependency, ctx: RequestContext): Promise<VaultResponse>;
  value(dep: Dependency, res: VaultResponse): StoredValue;
  /**
   * "certificate": refreshed inside the certificate's validity, whatever the
   * lease says; "response": by the answer's lease (renewable, fixed, none),
   * or by its certificate when the answer holds one.
   */
  readonly schedule: "certificate" | "response";
  /** a certificate already in the destination file may be reused while it is valid (pkiCert) */
  readonly reusesFileCertificate: boolean;
}

/** Vault's envelope in the shape `secret` shows it (consul-template's field names). */
export function secretEnvelope(res: VaultResponse): SecretValue {
  return {
    RequestID: res.request_id ?? "",
    LeaseID: res.lease_id ?? "",
    LeaseDuration: res.lease_duration ?? 0,
    Renewable: res.renewable ?? false,
    Data: (res.data ?? {}) as Record<string, unknown>,
    Warnings: res.warnings ?? null,
    Auth: res.auth ?? null,
    WrapInfo: res.wrap_info ?? null,
  };
}
