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
