import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { baoWithJwt, baseConfig, fileTemplate, jwtAuth, runInProcess } from "../agent-harness.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;

test("exit_on_retry_failure: a secret that cannot be fetched within the retries stops the sidecar with 1", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      vault: { address: bao.address, retry: { num_retries: 1 } },
      template_config: { exit_on_retry_failure: true },
      template: [
        fileTemplate(join(dir, "out"), '{{ with secret "kv/absent" }}{{ .Data.data.x }}{{ end }}'),
      ],
    }),
  );
  assert.equal(await agent.done, 1);
  const reads = bao.auditRequests({ pathPrefix: "kv/data/absent", excludeRoot: true }).length;
  assert.equal(reads, 2, "the first try and one retry");
  const failed = agent.logs.messages("agent failed");
  assert.match(String(failed[0]?.error), /SECRET_FETCH_FAILED: fetching kv\/absent failed/);
});

test("exit_on_err: the first failed login stops the agent with 1", async () => {
  const { bao, signer, jwtPath, dir } = await baoWithJwt(POLICY);
  const wrong = await signer.signJwt({ sub: "app", aud: "not-vault" });
  writeFileSync(jwtPath, wrong);
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath, { exit_on_err: true }),
      template: [fileTemplate(join(dir, "out"), "static")],
    }),
  );
  assert.equal(await agent.done, 1);
  assert.equal(agent.logs.messages("login failed").length, 1);
  agent.logs.assertNoSecrets([wrong]);
});
