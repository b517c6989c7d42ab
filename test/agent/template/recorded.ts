/**
 * Vault responses recorded from a dev server (identifiers shortened), turned
 * into the values the secrets store hands to templates, plus a DataSource
 * over them. Numbers keep their written form (json.Number), as Vault's Go
 * client decodes them.
 */
import {
  JsonNumber,
  dependency,
  type DataSource,
  type Dependency,
  type PkiCertValue,
  type RenderEnvironment,
  type SecretValue,
} from "../../../agent/template/types.ts";

export function parseVaultJson(text: string): unknown {
  return JSON.parse(text, (_k, v, ctx?: { source?: string }) =>
    typeof v === "number" ? new JsonNumber(ctx?.source ?? String(v)) : v,
  );
}

export function secretFromResponse(text: string): SecretValue {
  const r = parseVaultJson(text) as Record<string, unknown>;
  return {
    RequestID: r.request_id as string,
    LeaseID: r.lease_id as string,
    LeaseDuration: Number(String(r.lease_duration)),
    Renewable: r.renewable as boolean,
    Data: (r.data as Record<string, unknown>) ?? null,
    Warnings: (r.warnings as string[] | null) ?? null,
    Auth: r.auth ?? null,
    WrapInfo: r.wrap_info ?? null,
  };
}

export const KV1_RESPONSE = `{"request_id":"9f1c2a4e-0b1d-4c1e-8f3e-1a2b3c4d5e6f","lease_id":"","renewable":false,"lease_duration":2764800,"data":{"username":"app","password":"hunter2","port":5432,"ratio":0.75,"big":1e3,"enabled":true,"tags":["blue","green"],"nested":{"k":"v"},"nothing":null,"html":"<a&b>"},"wrap_info":null,"warnings":null,"auth":null}`;

export const KV2_RESPONSE = `{"request_id":"0c8e7d6a-5b4c-4a3b-9c2d-1e0f9a8b7c6d","lease_id":"","renewable":false,"lease_duration":0,"data":{"data":{"username":"app","password":"s3cr3t!"},"metadata":{"created_time":"2024-05-01T10:00:00.123456789Z","custom_metadata":null,"deletion_time":"","destroyed":false,"version":3}},"wrap_info":null,"warnings":null,"auth":null}`;

export const DB_CREDS_RESPONSE = `{"request_id":"5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","lease_id":"database/creds/app/Xk2vQ9","renewable":true,"lease_duration":3600,"data":{"password":"A1a-5nF0q8","username":"v-jwt-app-Tq3p-1714557600"},"wrap_info":null,"warnings":null,"auth":null}`;

export const PKI_ISSUE_RESPONSE = `{"request_id":"7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d","lease_id":"","renewable":false,"lease_duration":0,"data":{"certificate":"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----","expiration":1714644000,"issuing_ca":"-----BEGIN CERTIFICATE-----\\nMIIC\\n-----END CERTIFICATE-----","ca_chain":["-----BEGIN CERTIFICATE-----\\nMIIC\\n-----END CERTIFICATE-----"],"private_key":"-----BEGIN RSA PRIVATE KEY-----\\nMIIE\\n-----END RSA PRIVATE KEY-----","private_key_type":"rsa","serial_number":"39:dd:2e:90"},"wrap_info":null,"warnings":null,"auth":null}`;

export const LIST_RESPONSE = `{"request_id":"1","lease_id":"","renewable":false,"lease_duration":0,"data":{"keys":["beta","alpha/","gamma"]},"wrap_info":null,"warnings":null,"auth":null}`;

export const PKI_CERT: PkiCertValue = {
  Cert: "-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n",
  Key: "-----BEGIN RSA PRIVATE KEY-----\nKEY\n-----END RSA PRIVATE KEY-----\n",
  CA: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
  CAChain: [],
  Data: {},
};

/** A DataSource answering from a fixed table keyed by dependency key. */
export function tableSource(
  entries: Array<[Dependency, SecretValue | string[] | PkiCertValue]>,
): DataSource & {
  asked: string[];
} {
  const table = new Map(entries.map(([d, v]) => [d.key, v]));
  const asked: string[] = [];
  return {
    asked,
    get(dep) {
      asked.push(dep.key);
      return table.get(dep.key);
    },
  };
}

/** The store as it looks after fetching the recorded responses. */
export function recordedSource(): DataSource & { asked: string[] } {
  const list = parseVaultJson(LIST_RESPONSE) as { data: { keys: string[] } };
  return tableSource([
    [dependency("secret.read", "kv1/app"), secretFromResponse(KV1_RESPONSE)],
    [dependency("secret.read", "secret/data/app"), secretFromResponse(KV2_RESPONSE)],
    [dependency("secret.read", "database/creds/app"), secretFromResponse(DB_CREDS_RESPONSE)],
    [
      dependency("secret.write", "pki/issue/web", [["common_name", "web.example.com"]]),
      secretFromResponse(PKI_ISSUE_RESPONSE),
    ],
    [dependency("secret.list", "secret/metadata"), list.data.keys],
    [dependency("pki.cert", "pki/issue/web", [["common_name", "web.example.com"]]), PKI_CERT],
  ]);
}

export const FIXED_NOW = new Date(Date.UTC(2024, 4, 1, 9, 5, 7, 42));

export function testEnv(overrides: Partial<RenderEnvironment> = {}): RenderEnvironment {
  return {
    env: { APP_ENV: "prod", EMPTY: "" },
    readFile: (p) => {
      if (p === "/etc/app/motd") return "hello\n";
      const err = Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
      throw err;
    },
    now: () => FIXED_NOW,
    ...overrides,
  };
}
