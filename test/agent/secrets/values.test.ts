import { test } from "node:test";
import assert from "node:assert/strict";
import { dependency } from "../../../agent/template/types.ts";
import { fingerprint, toStoredValue } from "../../../agent/secrets/values.ts";
import { secretLabel } from "../../../agent/secrets/store.ts";

// recorded response shapes (values shortened)
const kv2 = (password: string, request_id: string) => ({
  request_id,
  lease_id: "",
  lease_duration: 0,
  renewable: false,
  data: { data: { password }, metadata: { version: 1 } },
  warnings: null,
  auth: null,
  wrap_info: null,
});

test("a read becomes the template's secret value with consul-template's field names", () => {
  const v = toStoredValue(dependency("secret.read", "kv/app"), {
    ...kv2("p", "r1"),
    lease_id: "x/1",
    lease_duration: 60,
    renewable: true,
  });
  assert.deepEqual(v, {
    RequestID: "r1",
    LeaseID: "x/1",
    LeaseDuration: 60,
    Renewable: true,
    Data: { data: { password: "p" }, metadata: { version: 1 } },
    Warnings: null,
    Auth: null,
    WrapInfo: null,
  });
});

test("a list becomes its keys; pkiCert becomes Cert, Key, CA, CAChain", () => {
  assert.deepEqual(
    toStoredValue(dependency("secret.list", "kv/"), { data: { keys: ["a", "b/"] } }),
    ["a", "b/"],
  );
  assert.deepEqual(toStoredValue(dependency("secret.list", "kv/"), { data: null }), []);
  const pki = toStoredValue(dependency("pki.cert", "pki/issue/r"), {
    data: { certificate: "C", private_key: "K", issuing_ca: "A", ca_chain: ["A"] },
  });
  // PEM strings end with a newline, as Vault Agent renders them
  assert.deepEqual(pki, {
    Cert: "C\n",
    Key: "K\n",
    CA: "A\n",
    CAChain: ["A"],
    Data: { certificate: "C", private_key: "K", issuing_ca: "A", ca_chain: ["A"] },
  });
});

test("unchanged data read twice has the same fingerprint; changed data does not", () => {
  const dep = dependency("secret.read", "kv/app");
  const a = fingerprint(toStoredValue(dep, kv2("same", "req-1")));
  const b = fingerprint(toStoredValue(dep, kv2("same", "req-2")));
  const c = fingerprint(toStoredValue(dep, kv2("other", "req-3")));
  assert.equal(a, b, "the request id alone is not a change");
  assert.notEqual(a, c);
});

test("metric labels carry the path and, for arguments, only a digest of them", () => {
  assert.equal(secretLabel(dependency("secret.read", "database/creds/app")), "database/creds/app");
  const a = secretLabel(
    dependency("secret.write", "transit/encrypt/k", [["plaintext", "c2VjcmV0"]]),
  );
  const b = secretLabel(
    dependency("secret.write", "transit/encrypt/k", [["plaintext", "b3RoZXI="]]),
  );
  assert.match(a, /^transit\/encrypt\/k#[0-9a-f]{8}$/);
  assert.notEqual(a, b);
  assert.doesNotMatch(a, /c2VjcmV0/);
});
