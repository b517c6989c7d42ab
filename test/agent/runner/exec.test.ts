import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  jwtAuth,
  kvPut,
  runInProcess,
} from "../agent-harness.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;

test("exec mode: the app starts with the rendered values in its environment and is restarted with new ones", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { v: "env-one" });
  const seen = join(dir, "seen");
  // The app records the value it was started with, then runs until told to
  // stop. It records only once its SIGTERM handler is in place: the test reads
  // the record as "ready", and a SIGTERM before the handler would end the app
  // with 143 instead of 0.
  const app = `process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000);
    require("fs").appendFileSync(${JSON.stringify(seen)}, process.env.APP_SECRET + "\\n");`;
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: 500 },
      exec: {
        command: [process.execPath, "-e", app],
        restart_on_secret_changes: "always",
        restart_stop_signal: "SIGTERM",
        restart_kill_grace: 5000,
      },
      env_template: [
        {
          name: "APP_SECRET",
          contents: '{{ with secret "kv/app" }}{{ .Data.data.v }}{{ end }}',
          error_on_missing_key: false,
        },
      ],
    }),
  );
  try {
    // the file exists a moment before its line is in it: wait for the whole line
    const record = () => (existsSync(seen) ? readFileSync(seen, "utf8") : "");
    await eventually("app started", 15_000, () => record().endsWith("\n"));
    assert.equal(record(), "env-one\n");
    await kvPut(bao, "kv", "app", { v: "env-two" });
    await eventually("app restarted with the new value", 15_000, () =>
      record() === "env-one\nenv-two\n" ? true : undefined,
    );
    assert.equal(await agent.stop(), 0, "the agent exits with the app's code");
    agent.logs.assertNoSecrets(["env-one", "env-two"]);
  } finally {
    await agent.stop();
  }
});
