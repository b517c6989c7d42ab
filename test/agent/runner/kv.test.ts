import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  runInProcess,
  kvPut,
} from "../agent-harness.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;

test("KV v2: rendered, a change is picked up within the interval and rendered once; unchanged data never rewrites or runs the command", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app/config", { password: "first-Pa55word" });
  const out = join(dir, "app.env");
  const runs = join(dir, "runs");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: 600 },
      template: [
        fileTemplate(
          out,
          '{{ with secret "kv/app/config" }}PASSWORD={{ .Data.data.password }}{{ end }}\n',
          {
            command: ["/bin/sh", "-c", `echo run >> ${runs}`],
          },
        ),
      ],
    }),
  );
  const reads = () =>
    bao.auditRequests({ pathPrefix: "kv/data/app/config", excludeRoot: true }).length;
  try {
    await eventually("first render", 15_000, () => existsSync(out) && existsSync(runs));
    assert.equal(readFileSync(out, "utf8"), "PASSWORD=first-Pa55word\n");
    const firstMtime = statSync(out).mtimeMs;
    // several re-reads of unchanged data
    const before = reads();
    await eventually("three re-reads", 15_000, () => reads() >= before + 3);
    assert.equal(statSync(out).mtimeMs, firstMtime, "unchanged data must not rewrite the file");
    assert.equal(readFileSync(runs, "utf8"), "run\n", "unchanged data must not run the command");

    await kvPut(bao, "kv", "app/config", { password: "second-Pa55word" });
    await eventually("new value rendered", 15_000, () =>
      readFileSync(out, "utf8") === "PASSWORD=second-Pa55word\n" ? true : undefined,
    );
    const after = reads();
    await eventually("two more re-reads", 15_000, () => reads() >= after + 2);
    assert.equal(readFileSync(runs, "utf8"), "run\nrun\n", "one change, one command run");

    const parts = await agent.parts();
    assert.ok(parts.runner.ready);
    const token = parts.auth.current()?.token;
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([
      "first-Pa55word",
      "second-Pa55word",
      token,
      readFileSync(jwtPath, "utf8"),
    ]);
  } finally {
    await agent.stop();
  }
});

test("KV v1: re-read on the static interval, not after its 32-day lease, so a change is seen", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(`path "kv1/*" { capabilities = ["read"] }`);
  await bao.enableKvV1("kv1");
  await kvPut(bao, "kv1", "app", { user: "v1-first" });
  const out = join(dir, "v1");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: 500 },
      template: [fileTemplate(out, '{{ with secret "kv1/app" }}{{ .Data.user }}{{ end }}')],
    }),
  );
  try {
    await eventually("first render", 15_000, () => existsSync(out));
    assert.equal(readFileSync(out, "utf8"), "v1-first");
    await kvPut(bao, "kv1", "app", { user: "v1-second" });
    await eventually("change seen", 15_000, () => readFileSync(out, "utf8") === "v1-second");
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets(["v1-first", "v1-second"]);
  } finally {
    await agent.stop();
  }
});
