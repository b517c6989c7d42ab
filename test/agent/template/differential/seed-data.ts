/**
 * The data every template of the differential corpus reads, written once into
 * one real OpenBao: KV v2 (the dev server's `secret/` and a `kv/` mount), KV
 * v1 (`kv1/`, which keeps numbers exactly as written), dynamic PostgreSQL
 * credentials (`database/creds/<role>`) and PKI (`pki/issue/example-dot-test`).
 */
import { resolve } from "node:path";
import type { OpenBaoServer } from "../../../support/openbao.ts";
import type { PostgresServer } from "../../../support/postgres.ts";
import { configureDatabaseEngine, DEFAULT_CREATION_STATEMENTS } from "../../../support/postgres.ts";

/** Environment both agents run with, for the `env` and `file` functions. */
export const CORPUS_ENV = {
  VAULTLET_DIFF_HOME: "/home/differential",
  VAULTLET_DIFF_FILE: resolve(import.meta.dirname, "../../../fixtures/templates/plain-file.txt"),
};

export const DATABASE_ROLES = ["db-app", "checkout-ro", "web-api"] as const;

/** KV v1 body with numbers as text: JSON.stringify would turn 1e3 into 1000. */
const KV1_NUMBERS_JSON =
  '{"int":42,"exp":1e3,"dec":10.50,"big":12345678901234567890,"neg":-0.5,"zero":0,' +
  '"float":3.14159,"list":[1,2.50,"x"],"map":{"k":1e2,"a":"b"}}';

/** KV v2 body with the same kind of numbers; KV v2 storage normalises them. */
const KV2_TYPES_JSON =
  '{"data":{"int":42,"big":12345678901234567890,"exp":1e3,"dec":10.50,"neg":-0.5,' +
  '"float":3.14159,"t":true,"f":false,"n":null,"s":"text","list":[1,"a",{"x":1},[2,3]],' +
  '"map":{"b":2,"a":"x","inner":{"z":[],"y":{}}},"empty_list":[],"empty_map":{}}}';

async function rawPost(bao: OpenBaoServer, path: string, json: string): Promise<void> {
  const res = await fetch(`${bao.address}/v1/${path}`, {
    method: "POST",
    headers: { "X-Vault-Token": bao.adminToken, "Content-Type": "application/json" },
    body: json,
  });
  if (!res.ok) throw new Error(`POST ${path} -> ${res.status}: ${await res.text()}`);
}

export async function seedCorpusData(bao: OpenBaoServer, pg: PostgresServer): Promise<void> {
  // `secret/` is the dev server's KV v2 mount
  await bao.kvPut("secret", "app/config", {
    username: "app-user",
    password: "app-pass",
    port: "8080",
  });
  await bao.kvPut("secret", "web", {
    username: "web",
    host: "db.internal",
    payments_api_key: "pk_live_abc123",
    csv: "a,b,c",
    multiline: "line one\nline two\n",
    json: '{"b":{"c":"deep"}}',
  });
  await bao.kvPut("secret", "database/config", {
    username: "db-readonly",
    password: "db-secret-password",
    ttl: "30s",
  });
  await rawPost(bao, "secret/data/types", KV2_TYPES_JSON);
  await bao.kvPut("secret", "unicode", {
    greeting: "héllo wörld ☃ 日本語",
    emoji: "🔐",
    quote: 'she said "hi" & <left>',
    newline: "line1\nline2",
    tab: "a\tb",
    backslash: "C:\\path\\to",
  });
  await bao.kvPut("secret", "sorting", {
    zeta: 1,
    alpha: 2,
    Beta: 3,
    "10": "ten",
    "9": "nine",
    _u: "u",
    list: ["a", "b", "c", "d", "e"],
    nested: { b: { y: 1, x: 2 }, a: { k: "v" } },
  });
  await bao.kvPut("secret", "yamlish", {
    yes: "yes",
    on: "on",
    y: "n",
    truth: "true",
    nothing: "",
    tilde: "~",
    null_text: "null",
    version: "1.0",
    octal: "0755",
    colon: "key: value",
    dash: "- item",
    hash: "# not a comment",
    multiline: "first\nsecond\n",
    spaces: "  padded  ",
    quote: 'it\'s "quoted"',
    unicode: "ünïcödé",
  });
  await bao.kvPut("secret", "idioms", {
    "api-key": "k-with-dash",
    env: "prod-eu",
    b64: "aGVsbG8gd29ybGQ=",
    pairs: "a=1,b=2,c=3",
    title: "hello vault world",
    nested: { deep: { value: "found" } },
    ports: [8080, 8443],
    tags: ["web", "prod", "eu"],
  });
  await bao.kvPut("secret", "pointer", {
    path: "secret/data/target",
    short_path: "secret/target",
    name: "target",
  });
  await bao.kvPut("secret", "target", { value: "reached" });
  await bao.kvPut("secret", "versioned", { value: "one" });
  await bao.kvPut("secret", "versioned", { value: "two" });

  await bao.enableKvV2("kv");
  await bao.kvPut("kv", "prod/platform-api", { password: "platform-pass" });

  await bao.enableKvV1("kv1");
  await bao.kvPut("kv1", "app", { password: "p1", user: "app" });
  await rawPost(bao, "kv1/numbers", KV1_NUMBERS_JSON);

  const [first, ...others] = DATABASE_ROLES;
  await configureDatabaseEngine(bao, pg, { role: first, defaultTtl: "10m", maxTtl: "1h" });
  for (const role of others) {
    await bao.api("POST", `database/roles/${role}`, {
      db_name: "pg",
      creation_statements: DEFAULT_CREATION_STATEMENTS,
      default_ttl: "10m",
      max_ttl: "1h",
    });
  }

  await bao.enablePki("pki", { domain: "example.test", maxTtl: "1h", ttl: "10m" });
}
