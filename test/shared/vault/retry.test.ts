import { before, test } from "node:test";
import assert from "node:assert/strict";
import { VaultClient } from "../../../shared/vault/index.ts";
import type { RequestEvent } from "../../../shared/vault/index.ts";
import { startFaultProxy } from "../../support/fault-proxy.ts";
import type { FaultProxy } from "../../support/fault-proxy.ts";
import { startOpenBao } from "../../support/openbao.ts";
import type { OpenBaoServer } from "../../support/openbao.ts";

let bao: OpenBaoServer;
let proxy: FaultProxy;

before(async () => {
  bao = await startOpenBao();
  await bao.enableKvV1("kv1");
  await bao.kvPut("kv1", "cfg", { mode: "on" });
  proxy = await startFaultProxy({ target: bao.address });
});

function client(events: RequestEvent[], retries = 3): VaultClient {
  return new VaultClient({
    address: proxy.address,
    token: bao.rootToken,
    retries,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    onRequest: (e) => events.push(e),
  });
}

for (const status of [429, 412, 500, 502, 503]) {
  test(`${status} is retried with backoff and the real answer comes through`, async () => {
    const events: RequestEvent[] = [];
    const vault = client(events);
    proxy.failNext(2, status);
    const res = await vault.read("kv1/cfg");
    assert.equal((res.data as { mode: string }).mode, "on");
    assert.deepEqual(
      events.map((e) => [e.attempt, e.status]),
      [
        [1, status],
        [2, status],
        [3, 200],
      ],
    );
    vault.close();
  });
}

for (const status of [400, 403, 404, 405, 501]) {
  test(`${status} is not retried`, async () => {
    const events: RequestEvent[] = [];
    const vault = client(events);
    proxy.failNext(1, status);
    await assert.rejects(vault.read("kv1/cfg"), { status });
    assert.equal(events.length, 1);
    // the fault was used up by that one request: the next read reaches Vault
    assert.equal(((await vault.read("kv1/cfg")).data as { mode: string }).mode, "on");
    vault.close();
  });
}

test("a dropped connection is retried; retries run out with the last error", async () => {
  const events: RequestEvent[] = [];
  const vault = client(events, 1);
  proxy.dropNext(1);
  assert.equal(((await vault.read("kv1/cfg")).data as { mode: string }).mode, "on");
  assert.deepEqual(
    events.map((e) => [e.attempt, e.status, e.errorCode]),
    [
      [1, undefined, "VAULT_UNAVAILABLE"],
      [2, 200, undefined],
    ],
  );
  proxy.failNext(2, 429, ["rate limit quota exceeded"]);
  await assert.rejects(vault.read("kv1/cfg"), {
    code: "VAULT_RATE_LIMITED",
    status: 429,
    errors: ["rate limit quota exceeded"],
  });
  vault.close();
});

test("a failed KV detection (503) is not cached as v1: the next call detects again", async () => {
  const events: RequestEvent[] = [];
  const vault = client(events, 0);
  proxy.failNext(1, 503, ["Vault is sealed"]);
  await assert.rejects(vault.kvVersion("kv1/cfg"), { code: "VAULT_SEALED" });
  assert.equal(await vault.kvVersion("kv1/cfg"), 1);
  assert.equal(await vault.kvVersion("kv1/other"), 1);
  assert.deepEqual(
    events.map((e) => e.status),
    [503, 200],
  );
  vault.close();
});

test("health() is asked once and never retried", async () => {
  const events: RequestEvent[] = [];
  const vault = client(events);
  proxy.failNext(1, 503, ["Vault is sealed"]);
  const health = await vault.health();
  assert.equal(health.status, 503);
  assert.equal(events.length, 1);
  vault.close();
});

test("a sealed server that is unsealed meanwhile: the read succeeds through the retries", async (t) => {
  const server = await startOpenBao({ t, storage: "file" });
  await server.enableKvV1("kv1");
  await server.kvPut("kv1", "x", { v: "back" });
  await server.seal();
  const events: RequestEvent[] = [];
  let unsealing: Promise<void> | undefined;
  const vault = new VaultClient({
    address: server.address,
    token: server.rootToken,
    retries: 20,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 500,
    onRequest: (e) => {
      events.push(e);
      // unseal only after the client has seen the sealed answer
      if (e.status === 503 && !unsealing) unsealing = server.unseal();
    },
  });
  const res = await vault.read("kv1/x");
  assert.equal((res.data as { v: string }).v, "back");
  assert.equal(events[0]?.status, 503);
  assert.equal(events.at(-1)?.status, 200);
  await unsealing;
  vault.close();
});
