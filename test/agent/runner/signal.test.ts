import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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
const TEMPLATE = '{{ with secret "kv/app/config" }}{{ .Data.data.password }}{{ end }}';

test("signal {}: a pid file not written yet is logged and the render stands; a pid file with garbage fails the render", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app/config", { password: "first-Pa55word" });
  const absent = join(dir, "absent.out");
  const garbage = join(dir, "garbage.out");
  const garbagePid = join(dir, "garbage.pid");
  writeFileSync(garbagePid, "not a pid\n");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template: [
        fileTemplate(absent, TEMPLATE, {
          signal: { signal: "SIGHUP", pid_file: join(dir, "app.pid") },
        }),
        fileTemplate(garbage, TEMPLATE, { signal: { signal: "SIGHUP", pid_file: garbagePid } }),
      ],
    }),
  );
  try {
    await eventually("both files written", 15_000, () => existsSync(absent) && existsSync(garbage));
    assert.equal(readFileSync(absent, "utf8"), "first-Pa55word");
    const noTarget = () => agent.logs.entries().filter((e) => e.msg === "no process to signal");
    await eventually("the absent pid file logged", 15_000, () => noTarget().length > 0);
    assert.ok(
      noTarget().every((e) => e.template === absent),
      "only the absent pid file is benign",
    );
    const errors = () =>
      agent.logs.entries().filter((e) => e.level === "error" && String(e.error).includes("SIGNAL"));
    await eventually("the garbage pid file's render error", 15_000, () =>
      errors().length > 0 ? true : undefined,
    );
    assert.ok(
      errors().every((e) => e.template === garbage),
      JSON.stringify(errors()),
    );
    assert.match(
      String(errors()[0]!.error),
      /SIGNAL_PID_FILE_INVALID: .*does not hold a process id/,
    );
  } finally {
    await agent.stop();
  }
});
