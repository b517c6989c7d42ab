import { test } from "node:test";
import assert from "node:assert/strict";
import forge from "node-forge";
import { bundleFromPem } from "../../../agent/secrets/pem-file.ts";

function issue(
  subject: string,
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
) {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = String(Math.floor(Math.random() * 1e9));
  cert.validity.notBefore = new Date(Date.now() - 1000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject([{ name: "commonName", value: subject }]);
  cert.setIssuer(
    issuer ? issuer.cert.subject.attributes : [{ name: "commonName", value: subject }],
  );
  cert.sign(issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  return {
    cert,
    key: keys.privateKey,
    pem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

test("the leaf is the certificate matching the key; its issuer is the CA, in any order", () => {
  const ca = issue("ca");
  const leaf = issue("leaf", ca);
  const b = bundleFromPem(ca.pem + leaf.keyPem + leaf.pem);
  assert.ok(b);
  assert.equal(b.certificate.trim(), leaf.pem.trim());
  assert.equal(b.private_key.trim(), leaf.keyPem.trim());
  assert.equal(b.issuing_ca.trim(), ca.pem.trim());
  assert.deepEqual(
    b.ca_chain.map((c) => c.trim()),
    [ca.pem.trim()],
  );
});

test("no reuse without a key that matches a certificate, or with broken PEM", () => {
  const ca = issue("ca");
  const leaf = issue("leaf", ca);
  const other = issue("other");
  assert.equal(bundleFromPem(leaf.pem), undefined);
  assert.equal(bundleFromPem(leaf.pem + other.keyPem), undefined);
  assert.equal(
    bundleFromPem("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n" + leaf.keyPem),
    undefined,
  );
  assert.equal(bundleFromPem("plain text"), undefined);
});
