import { test } from "node:test";
import assert from "node:assert/strict";
import { startFaultProxy } from "../../support/fault-proxy.ts";
import { baoWithJwt, baseConfig, eventually, jwtAuth, runInProcess } from "../agent-harness.ts";

test("when Vault fails every request, renewals and logins back off instead of storming", async (t) => {
  const { bao, jwtPath } = await baoWithJwt(`path "kv/data/*" { capabilities = ["read"] }`, {
    tokenTtl: "2s",
    tokenMaxTtl: "1h",
  });
  const proxy = await startFaultProxy({ target: bao.address, t });
  const config = baseConfig(jwtAuth(bao, jwtPath));
  config.vault = { address: proxy.address };
  const agent = runInProcess(config);
  try {
    const parts = await agent.parts();
    await eventually("ready", 15_000, () => parts.runner.ready);
    const before = proxy.requests.length;
    proxy.failNext(10_000, 503);
    const windowMs = 4000;
    await new Promise((r) => setTimeout(r, windowMs));
    const sent = proxy.requests.length - before;
    // the plan for 4s: a renewal (3 tries in the client), then logins backing off
    // from 200 ms doubling (each up to 3 tries): well under 40; a tight loop sends thousands
    assert.ok(sent >= 3, `the agent kept trying (${sent})`);
    assert.ok(sent <= 40, `${sent} requests in ${windowMs} ms`);
    const failures = agent.logs.messages("login failed").length;
    assert.ok(failures <= 6, `${failures} logins`);
  } finally {
    await agent.stop();
  }
});
