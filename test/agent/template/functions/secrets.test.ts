import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DependencyRecorder,
  parseKeyValues,
  secretFunctions,
} from "../../../../agent/template/functions/secrets.ts";
import {
  MISSING,
  isMissing,
  structKind,
  isStringSlice,
} from "../../../../agent/template/functions/values.ts";
import { createFunctions, FUNCTION_NAMES } from "../../../../agent/template/functions/index.ts";
import { recordedSource, testEnv } from "../recorded.ts";

test("secret reads, records the dependency and marks the value as the Secret struct", () => {
  const rec = new DependencyRecorder();
  const f = secretFunctions(recordedSource(), rec);
  const v = f.secret("kv1/app");
  assert.equal(structKind(v), "secret");
  assert.deepEqual([...rec.used.keys()], ["secret.read(kv1/app)"]);
  assert.equal(rec.missing.size, 0);
});

test("missing data returns the placeholder and records it as missing", () => {
  const rec = new DependencyRecorder();
  const f = secretFunctions(recordedSource(), rec);
  assert.equal(f.secret("nope/x"), MISSING);
  assert.ok(isMissing(f.secrets("nope/")));
  assert.ok(isMissing(f.pkiCert("pki/issue/other", "common_name=a")));
  assert.deepEqual(
    [...rec.missing.keys()],
    ["secret.read(nope/x)", "secret.list(nope)", "pki.cert(pki/issue/other?common_name=a)"],
  );
});

test("k=v arguments make a write; order kept, key order irrelevant to identity", () => {
  const rec = new DependencyRecorder();
  const f = secretFunctions({ get: () => undefined }, rec);
  f.secret("pki/issue/web", "ttl=24h", "common_name=a.example");
  f.secret("pki/issue/web", "common_name=a.example", "ttl=24h");
  const deps = [...rec.used.values()];
  assert.equal(deps.length, 1);
  assert.equal(deps[0]!.kind, "secret.write");
  assert.deepEqual(deps[0]!.params, [
    ["ttl", "24h"],
    ["common_name", "a.example"],
  ]);
});

test("parseKeyValues trims, skips blanks, keeps the last repeat, rejects non pairs", () => {
  assert.deepEqual(parseKeyValues([" a = 1 ", "", "b=x=y", "a=2"]), [
    ["b", "x=y"],
    ["a", "2"],
  ]);
  assert.throws(() => parseKeyValues(["a=1", "oops"]), /not k=v pair \(argument 3\)/);
});

test("secrets returns a Go []string", () => {
  const f = secretFunctions(recordedSource(), new DependencyRecorder());
  const keys = f.secrets("secret/metadata/");
  assert.ok(isStringSlice(keys));
  assert.deepEqual(keys, ["beta", "alpha/", "gamma"]);
});

test("the library is engine-neutral: plain functions callable directly", () => {
  const fns = createFunctions({
    source: recordedSource(),
    env: testEnv(),
    recorder: new DependencyRecorder(),
  });
  for (const name of FUNCTION_NAMES) assert.equal(typeof fns[name]?.fn, "function", name);
  const call = (name: string, ...args: unknown[]) =>
    (fns[name]!.fn as (...a: unknown[]) => unknown)(...args);
  assert.equal(call("toUpper", "a"), "A");
  assert.equal(call("env", "APP_ENV"), "prod");
  assert.equal(call("timestamp"), "2024-05-01T09:05:07Z");
  assert.equal(
    (call("secret", "database/creds/app") as { Data: { username: string } }).Data.username,
    "v-jwt-app-Tq3p-1714557600",
  );
});

test("auth and wrap_info blocks are exposed under consul-template's field names", () => {
  const rec = new DependencyRecorder();
  const base = {
    RequestID: "r",
    LeaseID: "",
    LeaseDuration: 0,
    Renewable: false,
    Data: {},
    Warnings: null,
  };
  const v = {
    ...base,
    Auth: {
      client_token: "hvs.child",
      accessor: "acc",
      policies: ["default"],
      metadata: null,
      lease_duration: 60,
      renewable: true,
    },
    WrapInfo: null,
  };
  const f = secretFunctions({ get: () => v }, rec);
  const s = f.secret("auth/token/create", "ttl=1m") as { Auth: Record<string, unknown> };
  assert.equal(s.Auth.ClientToken, "hvs.child");
  assert.deepEqual(s.Auth.Policies, ["default"]);
  assert.equal(structKind(s), "secret");
});

test("a read's ?query becomes its parameters (KV v2 versions)", () => {
  const rec = new DependencyRecorder();
  const f = secretFunctions({ get: () => undefined }, rec);
  f.secret("secret/data/app?version=2");
  const [dep] = [...rec.used.values()];
  assert.equal(dep!.kind, "secret.read");
  assert.equal(dep!.path, "secret/data/app");
  assert.deepEqual(dep!.params, [["version", "2"]]);
  assert.equal(dep!.key, "secret.read(secret/data/app?version=2)");
});
