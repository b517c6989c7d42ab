import { test } from "node:test";
import assert from "node:assert/strict";
import { SecretsStore } from "../../../agent/secrets/store.ts";
import { createVaultCalls } from "../../../agent/runner/vault-calls.ts";
import { dependency } from "../../../agent/template/types.ts";
import type { TokenInfo } from "../../../agent/auth/manager.ts";
import { createLogger } from "../../../shared/log.ts";
import { captureLogs } from "../../support/log-capture.ts";
import { startOpenBao } from "../../support/openbao.ts";
import { eventually } from "../agent-harness.ts";

// The store's clock stands still at 0, so every plan is an exact number of
// milliseconds; draws of 0 put each re-read at the low edge of its window.
const INTERVAL_MS = 1000;
const FIRST_READ_DUE = 0.5 * INTERVAL_MS;
const STEADY_READ_DUE = 0.85 * INTERVAL_MS;

async function storeOn(address: string, rootToken: string) {
  const info: TokenInfo = { token: rootToken, generation: 1, ttlMs: 0, expiresAt: undefined };
  const calls = createVaultCalls({ address });
  const store = new SecretsStore({
    calls,
    tokens: { token: async () => info, current: () => info, reportRejected: async () => {} },
    log: createLogger({ destination: captureLogs().stream, level: "silent" }),
    schedule: { staticIntervalMs: INTERVAL_MS },
    retryMinMs: 50,
    retryMaxMs: 100,
    random: () => 0,
    clock: { now: () => 0 },
  });
  return {
    store,
    close: () => {
      store.stop();
      calls.close();
    },
  };
}

test("a first read is re-read early in the interval (50%), the reads after it at 85%", async () => {
  const bao = await startOpenBao();
  await bao.enableKvV2("kv");
  await bao.kvPut("kv", "app", { user: "u" });
  const { store, close } = await storeOn(bao.address, bao.rootToken);
  try {
    const dep = dependency("secret.read", "kv/data/app");
    await store.ensure([dep]);
    assert.equal(store.dueAt(dep), FIRST_READ_DUE);
    await eventually("the second read", 10_000, () =>
      store.dueAt(dep) === STEADY_READ_DUE ? true : undefined,
    );
  } finally {
    close();
  }
});

test("the first read after failures is re-read early again, so a fleet back from an outage spreads out", async () => {
  const bao = await startOpenBao();
  await bao.enableKvV2("kv");
  const { store, close } = await storeOn(bao.address, bao.rootToken);
  try {
    const dep = dependency("secret.read", "kv/data/later");
    const first = store.ensure([dep]).catch(() => undefined);
    // not there yet: the store retries on its backoff until it appears
    await eventually("a failed attempt", 10_000, () => {
      const due = store.dueAt(dep);
      return due !== undefined && due < FIRST_READ_DUE ? true : undefined;
    });
    await bao.kvPut("kv", "later", { user: "u" });
    await first;
    await eventually("the read after the failures", 10_000, () =>
      store.get(dep) !== undefined && store.dueAt(dep) === FIRST_READ_DUE ? true : undefined,
    );
  } finally {
    close();
  }
});
