import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  runInProcess,
} from "../agent-harness.ts";

const POLICY = `path "pki/issue/*" { capabilities = ["update"] }`;

test("PKI: the certificate is re-issued before it expires, for secret and pkiCert alike", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enablePki("pki", { domain: "example.test", maxTtl: "6s", ttl: "6s" });
  const viaSecret = join(dir, "secret.pem");
  const viaPkiCert = join(dir, "pkicert.pem");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template: [
        fileTemplate(
          viaSecret,
          '{{ with secret "pki/issue/example-dot-test" "common_name=a.example.test" }}{{ .Data.certificate }}{{ end }}',
        ),
        fileTemplate(
          viaPkiCert,
          '{{ with pkiCert "pki/issue/example-dot-test" "common_name=b.example.test" }}{{ .Cert }}{{ .Key }}{{ end }}',
        ),
      ],
    }),
  );
  try {
    await eventually(
      "both certificates",
      15_000,
      () => existsSync(viaSecret) && existsSync(viaPkiCert),
    );
    const first = [
      new X509Certificate(readFileSync(viaSecret)),
      new X509Certificate(readFileSync(viaPkiCert)),
    ];
    for (const [i, file] of [viaSecret, viaPkiCert].entries()) {
      const old = first[i]!;
      const renewed = await eventually(`a new certificate in ${file}`, 15_000, () => {
        const c = new X509Certificate(readFileSync(file));
        return c.serialNumber !== old.serialNumber ? c : undefined;
      });
      assert.ok(renewed.validToDate > old.validToDate);
    }
    // each issue happened while the previous certificate was still valid
    const issues = bao.auditRequests({ pathPrefix: "pki/issue/", excludeRoot: true });
    assert.ok(issues.length >= 4);
    const firstEnd = Math.max(...first.map((c) => c.validToDate.getTime()));
    const reissues = issues.slice(2, 4).map((r) => Date.parse(r.time));
    for (const at of reissues)
      assert.ok(at < firstEnd, "re-issued before the old certificate expired");
    const key = readFileSync(viaPkiCert, "utf8").split("-----END CERTIFICATE-----")[1]!.trim();
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([key]);
  } finally {
    await agent.stop();
  }
});

test("pkiCert: a restart reuses the still-valid certificate in its file instead of issuing a new one", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enablePki("pki", { domain: "example.test", maxTtl: "2h", ttl: "1h" });
  const longLived = join(dir, "long.pem");
  const shortLived = join(dir, "short.pem");
  const config = baseConfig({
    ...jwtAuth(bao, jwtPath),
    exit_after_auth: true,
    template: [
      fileTemplate(
        longLived,
        '{{ with pkiCert "pki/issue/example-dot-test" "common_name=long.example.test" "ttl=1h" }}{{ .Cert }}{{ .CA }}{{ .Key }}{{ end }}',
      ),
      fileTemplate(
        shortLived,
        '{{ with pkiCert "pki/issue/example-dot-test" "common_name=short.example.test" "ttl=2s" }}{{ .Cert }}{{ .Key }}{{ end }}',
      ),
    ],
  });
  const issues = () => bao.auditRequests({ pathPrefix: "pki/issue/", excludeRoot: true }).length;
  const first = runInProcess(config);
  assert.equal(await first.done, 0);
  assert.equal(issues(), 2);
  const longPem = readFileSync(longLived, "utf8");
  const shortSerial = new X509Certificate(readFileSync(shortLived)).serialNumber;
  // the short certificate is past its renewal point by now
  await eventually("short certificate due", 10_000, () =>
    new X509Certificate(readFileSync(shortLived)).validToDate.getTime() < Date.now()
      ? true
      : undefined,
  );
  const second = runInProcess(config);
  assert.equal(await second.done, 0);
  assert.equal(issues(), 3, "only the certificate due for renewal is issued again");
  assert.equal(readFileSync(longLived, "utf8"), longPem);
  assert.notEqual(new X509Certificate(readFileSync(shortLived)).serialNumber, shortSerial);
  assert.equal(second.logs.messages("certificate still valid in its file; reusing it").length, 1);
  const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(
    longPem,
  )?.[0];
  assert.ok(key, "the file holds the private key");
  first.logs.assertNoSecrets([key]);
  second.logs.assertNoSecrets([key]);
});
