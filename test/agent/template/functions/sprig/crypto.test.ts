import { test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import {
  genPrivateKey,
  parsePrivateKeyPem,
} from "../../../../../agent/template/functions/sprig/keys.ts";
import { decryptAES, encryptAES } from "../../../../../agent/template/functions/sprig/crypto.ts";

test("every key genPrivateKey writes parses, signs and verifies with node:crypto", () => {
  for (const [type, label, kind] of [
    ["rsa", "RSA PRIVATE KEY", "rsa"],
    ["ecdsa", "EC PRIVATE KEY", "ec"],
    ["ed25519", "PRIVATE KEY", "ed25519"],
    ["dsa", "DSA PRIVATE KEY", "dsa"],
  ] as const) {
    const pem = genPrivateKey(type);
    assert.match(
      pem,
      new RegExp(
        `^-----BEGIN ${label}-----\\n([A-Za-z0-9+/=]{64}\\n)*[A-Za-z0-9+/=]{1,64}\\n-----END ${label}-----\\n$`,
      ),
    );
    const key = createPrivateKey(pem);
    assert.equal(key.asymmetricKeyType, kind, type);
    const hash = kind === "ed25519" ? null : "sha256";
    const signature = sign(hash, Buffer.from("message"), key);
    assert.ok(verify(hash, Buffer.from("message"), createPublicKey(key), signature), type);
    assert.equal(parsePrivateKeyPem(pem).asymmetricKeyType, kind);
  }
  assert.equal(genPrivateKey("rsa2"), "Unknown type rsa2");
});

test("the private key reader names what is wrong with its input as Go does", () => {
  assert.throws(() => parsePrivateKeyPem("nothing"), /^FunctionError: no PEM data in input$/);
  assert.throws(
    () => parsePrivateKeyPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
    /no private key data in PEM block of type CERTIFICATE$/,
  );
  assert.throws(
    () => parsePrivateKeyPem("-----BEGIN X PRIVATE KEY-----\nAAAA\n-----END X PRIVATE KEY-----"),
    /invalid private key type X PRIVATE KEY$/,
  );
});

test("encryptAES and decryptAES round-trip; each encryption has its own IV", () => {
  const a = encryptAES("pw", "text");
  assert.notEqual(a, encryptAES("pw", "text"));
  assert.equal(decryptAES("pw", a), "text");
  assert.equal(Buffer.from(a, "base64").length, 32);
});
