/**
 * The ops port is opened only when the config asks for it, as Vault Agent
 * opens no port for a config without a listener. `vault server -dev` holds
 * 127.0.0.1:8201 (its cluster port) on a developer's laptop: an agent with a
 * plain Vault Agent config must start beside it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { OPS_PORT } from "../../../shared/ops.ts";
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

/** Holds 127.0.0.1:8201 for the test; when another program already holds it, the port is taken all the same. */
async function occupyOpsPort(): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      err.code === "EADDRINUSE" ? resolve(undefined) : reject(err),
    );
    server.listen(OPS_PORT, "127.0.0.1", () => resolve(server));
  });
}

test("a sidecar whose config has no vaultlet.listen opens no port and starts while 8201 is taken", async () => {
  const holder = await occupyOpsPort();
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "port-Pa55word" });
  const out = join(dir, "app.txt");
  const config = baseConfig({
    ...jwtAuth(bao, jwtPath),
    template: [fileTemplate(out, '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}')],
  });
  delete config.vaultlet;
  const agent = runInProcess(config);
  try {
    await eventually("the first render", 15_000, () => {
      try {
        return readFileSync(out, "utf8") === "port-Pa55word";
      } catch {
        return false;
      }
    });
    assert.equal((await agent.parts()).ops, undefined);
    assert.doesNotMatch(agent.logs.text(), /ops endpoint listening/);
    assert.equal(await agent.stop(), 0);
  } finally {
    holder?.close();
  }
});

test("a configured ops port that is taken fails the agent with the key to change", async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, "127.0.0.1", () => r()));
  const port = (holder.address() as { port: number }).port;
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      vaultlet: { listen: `127.0.0.1:${port}` },
      template: [fileTemplate(join(dir, "x.txt"), "static")],
    }),
  );
  try {
    // the ops port opens while the agent starts, so the agent ends at once
    const code = await agent.done;
    assert.equal(code, 1);
    assert.match(
      agent.logs.text(),
      new RegExp(
        `vaultlet\\.listen \\\\?"127\\.0\\.0\\.1:${port}\\\\?": cannot listen \\(EADDRINUSE\\); set vaultlet\\.listen to a free port`,
      ),
    );
  } finally {
    holder.close();
  }
});
