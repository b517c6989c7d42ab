/**
 * Vault responses recorded from a real OpenBao 2.7 (KV v1, KV v2, database
 * creds, PKI issue, LIST), turned into the values the secrets store hands to
 * template engines, and a DataSource over them for pure rendering tests.
 */
import { dependency, JsonNumber } from "../../../../agent/template/types.ts";
import type {
  DataSource,
  Dependency,
  DependencyKind,
  PkiCertValue,
  RenderEnvironment,
  SecretValue,
} from "../../../../agent/template/types.ts";

type Stored = SecretValue | string[] | PkiCertValue;

/** A response envelope as Vault sends it, into the value `secret` returns. */
export function secretFromEnvelope(envelope: Record<string, unknown>): SecretValue {
  return {
    RequestID: String(envelope["request_id"] ?? ""),
    LeaseID: String(envelope["lease_id"] ?? ""),
    LeaseDuration: Number(envelope["lease_duration"] ?? 0),
    Renewable: Boolean(envelope["renewable"]),
    Data: (envelope["data"] ?? {}) as Record<string, unknown>,
    Warnings: (envelope["warnings"] as string[] | null) ?? null,
    Auth: envelope["auth"] ?? null,
    WrapInfo: envelope["wrap_info"] ?? null,
  };
}

export const KV1_APP = secretFromEnvelope({
  request_id: "51c398af-d397-b525-07de-24dce2ea321f",
  lease_id: "",
  renewable: false,
  lease_duration: 2764800,
  // KV v1 keeps numbers as written; the store parses them as JsonNumber
  data: { password: "p1", user: "app", port: new JsonNumber("5432"), ratio: new JsonNumber("1e3") },
  wrap_info: null,
  warnings: null,
  auth: null,
});

export const KV2_APP = secretFromEnvelope({
  request_id: "8472fb73-2114-444b-9ed5-b48a5cf552a1",
  lease_id: "",
  renewable: false,
  lease_duration: 0,
  data: {
    data: { password: "s3cr3t&<x>", user: "app", next: "kv/data/nested" },
    metadata: {
      created_time: "2026-11-22T03:10:24.674591787Z",
      custom_metadata: null,
      deletion_time: "",
      destroyed: false,
      version: new JsonNumber("3"),
    },
  },
  wrap_info: null,
  warnings: null,
  auth: null,
});

export const KV2_NESTED = secretFromEnvelope({
  request_id: "5b1c0c55-0a3c-4f39-9f5e-1d1d2b0f4a11",
  lease_id: "",
  renewable: false,
  lease_duration: 0,
  data: { data: { api_key: "k-123" }, metadata: { version: new JsonNumber("1") } },
  wrap_info: null,
  warnings: null,
  auth: null,
});

export const DB_CREDS = secretFromEnvelope({
  request_id: "0d4e3d8e-6bb2-3c2a-5e0f-9d8f4bb0a7c2",
  lease_id: "database/creds/app/Yd4HkqCRBgk3wJ4zP0AAvS0E",
  renewable: true,
  lease_duration: 3600,
  data: { username: "v-token-app-8sZkN2qLr4Xw9-1763781024", password: "A1a-Zx9Qw2Er4Ty6Ui8O" },
  wrap_info: null,
  warnings: null,
  auth: null,
});

const CERT = "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----";
const CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEkey\n-----END RSA PRIVATE KEY-----";

export const PKI_ISSUE = secretFromEnvelope({
  request_id: "a2b0c3d4-1111-2222-3333-444455556666",
  lease_id: "",
  renewable: false,
  lease_duration: 0,
  data: {
    certificate: CERT,
    issuing_ca: CA,
    ca_chain: [CA],
    private_key: KEY,
    private_key_type: "rsa",
    serial_number: "1f:2e:3d:4c",
    expiration: new JsonNumber("1763781624"),
  },
  wrap_info: null,
  warnings: ['TTL of "10m" is shorter than the role\'s minimum'],
  auth: null,
});

export const PKI_CERT: PkiCertValue = {
  Cert: CERT,
  Key: KEY,
  CA: CA,
  CAChain: [CA],
  Data: PKI_ISSUE.Data,
};

export const KV2_LIST = ["app", "db/", "nested"];

export function dep(
  kind: DependencyKind,
  path: string,
  params: ReadonlyArray<readonly [string, string]> = [],
): Dependency {
  return dependency(kind, path, params);
}

/** The store's contract over a fixed map; counts lookups per key. */
export class FixedSource implements DataSource {
  private readonly values = new Map<string, Stored>();
  readonly asked = new Map<string, number>();

  set(d: Dependency, value: Stored): this {
    this.values.set(d.key, value);
    return this;
  }

  get(d: Dependency): Stored | undefined {
    this.asked.set(d.key, (this.asked.get(d.key) ?? 0) + 1);
    return this.values.get(d.key);
  }
}

/** Everything a typical template needs, keyed as the templates ask. */
export function fullSource(): FixedSource {
  return new FixedSource()
    .set(dep("secret.read", "kv1/app"), KV1_APP)
    .set(dep("secret.read", "kv/data/app"), KV2_APP)
    .set(dep("secret.read", "kv/data/nested"), KV2_NESTED)
    .set(dep("secret.read", "database/creds/app"), DB_CREDS)
    .set(dep("secret.write", "pki/issue/app", [["common_name", "app.example.test"]]), PKI_ISSUE)
    .set(dep("pki.cert", "pki/issue/app", [["common_name", "app.example.test"]]), PKI_CERT)
    .set(dep("secret.list", "kv/metadata"), KV2_LIST);
}

export const ENV: RenderEnvironment = {
  env: { APP_ENV: "prod", HOME: "/home/app" },
  readFile: (path) => {
    throw new Error(`no file ${path} in tests`);
  },
  now: () => new Date("2026-11-22T03:00:00Z"),
};
