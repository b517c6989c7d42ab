import { test } from "node:test";
import assert from "node:assert/strict";
import { createAgentMetrics } from "../../../agent/ops/metrics.ts";
import { parseOpsListen as parseListen, startOpsServer } from "../../../agent/ops/server.ts";

test("/ready turns 200 after the first render, /health and /metrics answer", async () => {
  let ready = false;
  let now = 1_000_000;
  const metrics = createAgentMetrics(() => now);
  const ops = await startOpsServer(
    "127.0.0.1:0",
    { ready: () => ready, healthy: () => true },
    metrics,
  );
  try {
    const base = `http://${ops.address}`;
    assert.equal((await fetch(`${base}/ready`)).status, 503);
    ready = true;
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal((await fetch(`${base}/ready`, { method: "POST" })).status, 405);

    metrics.logins.inc({ method: "jwt", result: "success" });
    metrics.setTokenExpiry(now + 90_000);
    metrics.setSecretExpiry("database/creds/app", now + 30_000);
    now += 10_000;
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /vaultlet_agent_logins_total\{method="jwt",result="success"\} 1/);
    assert.match(text, /vaultlet_agent_token_expiry_seconds 80/);
    assert.match(text, /vaultlet_agent_secret_expiry_seconds\{secret="database\/creds\/app"\} 20/);
    metrics.setSecretExpiry("database/creds/app", undefined);
    const after = await (await fetch(`${base}/metrics`)).text();
    assert.doesNotMatch(after, /secret="database\/creds\/app"/);
  } finally {
    await ops.close();
  }
});

test("listen addresses parse, bad ones name the setting", () => {
  assert.deepEqual(parseListen("127.0.0.1:8201"), { host: "127.0.0.1", port: 8201 });
  assert.deepEqual(parseListen("[::1]:9000"), { host: "::1", port: 9000 });
  assert.deepEqual(parseListen(":8201"), { host: "", port: 8201 });
  for (const bad of ["8201", "host", "h:99999", "h:p"]) {
    assert.throws(
      () => parseListen(bad),
      (e: Error & { code?: string }) =>
        e.code === "OPS_LISTEN_INVALID" && e.message.includes("vaultlet.listen"),
    );
  }
});

test("a busy port is a clear error", async () => {
  const metrics = createAgentMetrics();
  const state = { ready: () => true, healthy: () => true };
  const first = await startOpsServer("127.0.0.1:0", state, metrics);
  try {
    await assert.rejects(
      startOpsServer(first.address, state, metrics),
      (e: Error & { code?: string }) => e.code === "OPS_LISTEN_FAILED",
    );
  } finally {
    await first.close();
  }
});
