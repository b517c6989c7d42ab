import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  caBundle,
  fromSecretData,
  planRenewal,
  renew,
  toSecretData,
  SECRET_KEYS,
} from "../../../webhook/tls/authority.ts";
import {
  certInfo,
  generateCa,
  isSignedBy,
  issueServingCert,
  splitPem,
} from "../../../webhook/tls/certs.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const HOSTS = ["vaultlet.vaultlet.svc", "127.0.0.1"];

describe("automatic TLS certificates", () => {
  test("the CA lives 10 years, is a CA, and signs a 24 h serving cert for the hosts (DNS and IP)", async () => {
    const now = new Date();
    const ca = await generateCa({ now });
    const leaf = await issueServingCert(ca, HOSTS, { now });
    const caX = new X509Certificate(ca.certPem);
    const leafX = new X509Certificate(leaf.certPem);
    assert.equal(caX.ca, true);
    assert.equal(leafX.ca, false);
    assert.equal(caX.publicKey.asymmetricKeyType, "rsa");
    assert.equal(caX.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const caLife = certInfo(ca.certPem).notAfter.getTime() - now.getTime();
    assert.ok(caLife >= 3650 * DAY - 60_000 && caLife <= 3650 * DAY + 60_000);
    const leafLife = certInfo(leaf.certPem).notAfter.getTime() - now.getTime();
    assert.ok(leafLife >= DAY - 60_000 && leafLife <= DAY + 60_000);
    assert.equal(leafX.subjectAltName, "DNS:vaultlet.vaultlet.svc, IP Address:127.0.0.1");
    assert.deepEqual(leafX.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
    assert.ok(isSignedBy(leaf.certPem, ca.certPem));
    assert.ok(leafX.checkPrivateKey(createPrivateKey(leaf.keyPem)));
    const other = await generateCa();
    assert.equal(isSignedBy(leaf.certPem, other.certPem), false);
  });

  test("no hosts is an error naming AGENT_INJECT_TLS_AUTO_HOSTS", async () => {
    const ca = await generateCa();
    await assert.rejects(issueServingCert(ca, []), /AGENT_INJECT_TLS_AUTO_HOSTS/);
  });

  test("renewal plan: CA when missing or in its last third, leaf in its last third, on new hosts or a foreign CA", async () => {
    const now = new Date();
    assert.equal(planRenewal(undefined, HOSTS, now), "ca");
    const state = await renew(undefined, "ca", HOSTS, now);
    assert.equal(planRenewal(state, HOSTS, now), "none");
    assert.equal(planRenewal(state, HOSTS, new Date(now.getTime() + 15 * HOUR)), "none");
    assert.equal(planRenewal(state, HOSTS, new Date(now.getTime() + 17 * HOUR)), "leaf");
    assert.equal(planRenewal(state, [...HOSTS, "extra.svc"], now), "leaf");
    assert.equal(planRenewal(state, HOSTS, new Date(now.getTime() + 7 * 365 * DAY)), "ca");
    const foreign = await generateCa({ now });
    assert.equal(planRenewal({ ...state, ca: foreign }, HOSTS, now), "leaf");
  });

  test("a leaf renewal keeps the CA; a CA renewal keeps the old CA as previous", async () => {
    const now = new Date();
    const first = await renew(undefined, "ca", HOSTS, now);
    const leafOnly = await renew(first, "leaf", HOSTS, now);
    assert.equal(leafOnly.ca, first.ca);
    assert.notEqual(leafOnly.leaf.certPem, first.leaf.certPem);
    const rotated = await renew(first, "ca", HOSTS, now);
    assert.equal(rotated.previousCaPem, first.ca.certPem);
    assert.deepEqual(splitPem(caBundle(rotated, now)), [rotated.ca.certPem, first.ca.certPem]);
    assert.deepEqual(splitPem(caBundle(rotated, new Date(now.getTime() + 2 * DAY))), [
      rotated.ca.certPem,
    ]);
  });

  test("Secret data round-trips; a Secret missing a key or holding junk is ignored", async () => {
    const state = await renew(undefined, "ca", HOSTS, new Date());
    const data = toSecretData(state);
    assert.deepEqual(fromSecretData(data), state);
    const { [SECRET_KEYS.caKey]: _dropped, ...partial } = data;
    assert.equal(fromSecretData(partial), undefined);
    assert.equal(
      fromSecretData({ ...data, [SECRET_KEYS.cert]: Buffer.from("junk").toString("base64") }),
      undefined,
    );
    assert.equal(fromSecretData(undefined), undefined);
  });
});
