import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import * as C from "../../../../../agent/template/functions/sprig/certs.ts";
import { genPrivateKey } from "../../../../../agent/template/functions/sprig/keys.ts";

const keyMatches = (cert: X509Certificate, pem: string): boolean =>
  cert.publicKey
    .export({ type: "spki", format: "der" })
    .equals(createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" }));

test("genCA is a self-signed CA certificate for its key, valid for the days asked", () => {
  const ca = C.genCA("my-ca", 10);
  const cert = new X509Certificate(ca.Cert);
  assert.equal(cert.subject, "CN=my-ca");
  assert.equal(cert.issuer, "CN=my-ca");
  assert.equal(cert.ca, true);
  assert.ok(cert.verify(cert.publicKey));
  assert.ok(keyMatches(cert, ca.Key));
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  assert.equal(days, 10);
});

test("genSignedCert is signed by the CA and names its IPs and DNS names", () => {
  const ca = C.genCAWithKey("ec-ca", 1, genPrivateKey("ecdsa"));
  const leaf = C.genSignedCert("leaf", ["10.0.0.1", "::1", "::ffff:1.2.3.4"], ["a.example"], 2, ca);
  const cert = new X509Certificate(leaf.Cert);
  assert.ok(cert.verify(new X509Certificate(ca.Cert).publicKey));
  assert.ok(cert.checkIssued(new X509Certificate(ca.Cert)));
  assert.equal(cert.ca, false);
  assert.equal(cert.checkHost("a.example"), "a.example");
  assert.equal(cert.checkIP("10.0.0.1"), "10.0.0.1");
  assert.equal(cert.checkIP("::1"), "::1");
  assert.match(
    cert.subjectAltName ?? "",
    /IP Address:1\.2\.3\.4|IP Address:0:0:0:0:0:FFFF:102:304/i,
  );
  assert.ok(keyMatches(cert, leaf.Key));
});

test("certificates with Ed25519 keys, and self-signed leaves, verify; a DSA key cannot sign", () => {
  const ed = genPrivateKey("ed25519");
  const self = C.genSelfSignedCertWithKey("ed", ["127.0.0.1"], null, 1, ed);
  const cert = new X509Certificate(self.Cert);
  assert.ok(cert.verify(cert.publicKey));
  assert.equal(self.Key, ed);
  const signed = C.genSignedCertWithKey("s", null, ["s.example"], 1, C.genCA("ca", 1), ed);
  assert.ok(keyMatches(new X509Certificate(signed.Cert), ed));
  assert.throws(
    () => C.genCAWithKey("x", 1, genPrivateKey("dsa")),
    /does not implement crypto\.Signer$/,
  );
});

test("buildCustomCert keeps the PEM text it was given once both parse", () => {
  const ca = C.genCA("ca", 1);
  const b64 = (t: string): string => Buffer.from(t).toString("base64");
  const built = C.buildCustomCert(b64(ca.Cert), b64(ca.Key));
  assert.deepEqual({ ...built }, { Cert: ca.Cert, Key: ca.Key });
  assert.throws(
    () => C.buildCustomCert(b64(ca.Cert), b64("junk")),
    /error parsing private key: no PEM data in input$/,
  );
});
