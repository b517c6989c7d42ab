import { test } from "node:test";
import assert from "node:assert/strict";
import forge from "node-forge";
import { dependency } from "../../../agent/template/types.ts";
import {
  certificateValidity,
  classify,
  DEFAULT_SCHEDULE_OPTIONS,
  planAfterFetch,
  planAfterLeaseRenewal,
  planOwnerHandover,
} from "../../../agent/secrets/schedule.ts";
import { kvV2Path, splitQuery } from "../../../agent/secrets/kv-path.ts";

const lo = () => 0;
const hi = () => 0.999999;
const opts = DEFAULT_SCHEDULE_OPTIONS;

// recorded response shapes (values shortened)
const dbCreds = {
  lease_id: "database/creds/app/abc",
  lease_duration: 3600,
  renewable: true,
  data: { username: "u", password: "p" },
};
const kv2 = {
  lease_id: "",
  lease_duration: 0,
  renewable: false,
  data: { data: { a: "1" }, metadata: { version: 3 } },
};
const kv1 = { lease_id: "", lease_duration: 2764800, renewable: false, data: { a: "1" } };
const awsSts = { lease_id: "aws/sts/x/1", lease_duration: 900, renewable: false, data: {} };

function selfSignedPem(notBefore: Date, notAfter: Date): string {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01";
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: "commonName", value: "app.example" }]);
  cert.setIssuer([{ name: "commonName", value: "app.example" }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

test("responses are classified by lease and certificate", () => {
  const read = dependency("secret.read", "database/creds/app");
  assert.equal(classify(read, dbCreds), "renewable-lease");
  assert.equal(classify(read, kv2), "static");
  assert.equal(classify(read, kv1), "static");
  assert.equal(classify(read, awsSts), "lease");
  assert.equal(classify(dependency("pki.cert", "pki/issue/r"), { data: {} }), "certificate");
});

test("renewable leases renew at about 2/3 of the lease", () => {
  const dep = dependency("secret.read", "database/creds/app");
  for (const r of [lo, hi]) {
    const p = planAfterFetch(dep, dbCreds, 0, opts, r);
    assert.equal(p.action, "renew");
    assert.ok(p.at >= 0.6 * 3600_000 && p.at <= 0.73 * 3600_000);
    assert.equal(p.expiresAt, 3600_000);
  }
});

test("non-renewable leases are fetched again at the threshold, +-5%", () => {
  const dep = dependency("secret.read", "aws/sts/x");
  const early = planAfterFetch(dep, awsSts, 0, opts, lo);
  const late = planAfterFetch(dep, awsSts, 0, opts, hi);
  assert.equal(early.action, "refetch");
  assert.ok(Math.abs(early.at - 900_000 * 0.855) < 1);
  assert.ok(Math.abs(late.at - 900_000 * 0.945) < 1);
  const custom = planAfterFetch(dep, awsSts, 0, { ...opts, leaseRenewalThreshold: 0.5 }, lo);
  assert.ok(Math.abs(custom.at - 900_000 * 0.475) < 1);
});

test("static secrets, KV v1 included, are re-read on the interval x 0.85-0.95", () => {
  const dep = dependency("secret.read", "kv/app");
  for (const res of [kv1, kv2]) {
    const a = planAfterFetch(dep, res, 1000, opts, lo);
    const b = planAfterFetch(dep, res, 1000, opts, hi);
    assert.equal(a.class, "static");
    assert.equal(a.at, 1000 + 0.85 * 300_000);
    assert.ok(b.at < 1000 + 0.95 * 300_000 + 1e-6 && b.at > 1000 + 0.94 * 300_000);
  }
});

test("a first read (or the first after failures) is re-read at interval x 0.5-0.95, spreading a fleet that read together", () => {
  const dep = dependency("secret.read", "kv/app");
  const a = planAfterFetch(dep, kv2, 1000, opts, lo, 1000, true);
  const b = planAfterFetch(dep, kv2, 1000, opts, hi, 1000, true);
  assert.equal(a.at, 1000 + 0.5 * 300_000);
  assert.ok(b.at < 1000 + 0.95 * 300_000 + 1e-6 && b.at > 1000 + 0.94 * 300_000);
  // leases keep their own schedule: the wide window is for static reads only
  const lease = planAfterFetch(dep, dbCreds, 0, opts, lo, 0, true);
  assert.deepEqual(lease, planAfterFetch(dep, dbCreds, 0, opts, lo));
});

test("a too small static interval is raised so nothing loops", () => {
  const dep = dependency("secret.read", "kv/app");
  const p = planAfterFetch(dep, kv2, 0, { ...opts, staticIntervalMs: 0 }, lo);
  assert.ok(p.at >= 400);
});

test("certificates are fetched again at 85-95% of their life", () => {
  const nb = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
  const na = new Date(nb.getTime() + 100_000);
  const pem = selfSignedPem(nb, na);
  assert.deepEqual(certificateValidity({ certificate: pem }), {
    notBefore: nb.getTime(),
    notAfter: na.getTime(),
  });
  assert.equal(certificateValidity({ certificate: "not a pem" }), undefined);
  const dep = dependency("secret.write", "pki/issue/app", [["common_name", "app.example"]]);
  const res = { lease_id: "", lease_duration: 0, data: { certificate: pem } };
  const now = nb.getTime() + 10_000;
  const a = planAfterFetch(dep, res, now, opts, lo);
  const b = planAfterFetch(dep, res, now, opts, hi);
  assert.equal(a.class, "certificate");
  // life counted from issue (now): 90s left, refreshed after 85-95% of it
  assert.equal(a.at, now + 0.85 * 90_000);
  assert.ok(b.at > now + 0.94 * 90_000 && b.at < now + 0.95 * 90_000 + 1);
  assert.equal(a.expiresAt, na.getTime());
  // a certificate fetched before its NotBefore counts from NotBefore
  const early = planAfterFetch(dep, res, nb.getTime() - 5000, opts, lo);
  assert.equal(early.at, nb.getTime() + 85_000);
});

test("a lease renewal cut short by the max TTL turns into a replacement before the end", () => {
  const full = planAfterLeaseRenewal(3600_000, { lease_duration: 3600, renewable: true }, 0, lo);
  assert.equal(full.action, "renew");
  const capped = planAfterLeaseRenewal(3600_000, { lease_duration: 600, renewable: true }, 0, hi);
  assert.equal(capped.action, "refetch");
  assert.ok(capped.at < 600_000 * 0.73 && capped.at > 600_000 * 0.6);
  assert.equal(capped.expiresAt, 600_000);
});

test("leases owned by a replaced token move before the old token's end", () => {
  // planned after the owner dies: moved into the early part of the time left
  const moved = planOwnerHandover(50_000, 40_000, 0, lo);
  assert.equal(moved, 2000);
  // already early enough: kept
  assert.equal(planOwnerHandover(10_000, 40_000, 0, lo), 10_000);
});

test("KV v2 paths get data/ for reads and metadata/ for lists, once", () => {
  assert.equal(kvV2Path("kv/foo", "kv", "data"), "kv/data/foo");
  assert.equal(kvV2Path("kv/data/foo", "kv/", "data"), "kv/data/foo");
  assert.equal(kvV2Path("kv", "kv/", "metadata"), "kv/metadata");
  assert.equal(kvV2Path("team/kv/a/b", "team/kv", "metadata"), "team/kv/metadata/a/b");
  assert.equal(kvV2Path("other/x", "kv", "data"), "other/x");
  assert.deepEqual(splitQuery("kv/foo?version=2"), { path: "kv/foo", query: [["version", "2"]] });
  assert.deepEqual(splitQuery("kv/foo"), { path: "kv/foo", query: [] });
});
