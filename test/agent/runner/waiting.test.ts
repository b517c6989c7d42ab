import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  kvPut,
  runInProcess,
} from "../agent-harness.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;

test("sidecar: a secret missing at start keeps the agent not ready until it exists, then renders", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "present", { v: "here" });
  const present = join(dir, "present");
  const later = join(dir, "later");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template: [
        fileTemplate(present, '{{ with secret "kv/present" }}{{ .Data.data.v }}{{ end }}'),
        fileTemplate(later, '{{ with secret "kv/later" }}{{ .Data.data.v }}{{ end }}'),
      ],
    }),
  );
  try {
    const parts = await agent.parts();
    await eventually("the present secret rendered", 15_000, () => existsSync(present));
    await eventually(
      "a failed read of the missing one",
      15_000,
      () => bao.auditRequests({ pathPrefix: "kv/data/later", excludeRoot: true }).length >= 1,
    );
    assert.equal(parts.runner.ready, false);
    await kvPut(bao, "kv", "later", { v: "arrived" });
    await eventually("the late secret rendered", 20_000, () => existsSync(later));
    assert.equal(readFileSync(later, "utf8"), "arrived");
    await eventually("ready", 5000, () => parts.runner.ready);
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets(["arrived", "here"]);
  } finally {
    await agent.stop();
  }
});
