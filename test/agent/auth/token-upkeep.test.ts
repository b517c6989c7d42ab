import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
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
const TEMPLATE = '{{ with secret "kv/app" }}{{ .Data.data.greeting }}{{ end }}';

test("the token is renewed at about 2/3 of its TTL, never right after login, and re-obtained before its max TTL without re-reading KV", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY, { tokenTtl: "3s", tokenMaxTtl: "8s" });
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { greeting: "hello" });
  const sink = join(dir, "token");
  const out = join(dir, "out");
  const config = baseConfig({
    ...jwtAuth(bao, jwtPath),
    template_config: { static_secret_render_interval: 60_000 },
    template: [fileTemplate(out, TEMPLATE)],
  });
  config.auto_auth!.sinks = [{ type: "file", config: { path: sink } }];
  const agent = runInProcess(config);
  try {
    const logins = () => bao.auditRequests({ pathPrefix: "auth/jwt/login" });
    await eventually("a second login", 20_000, () => logins().length >= 2);
    const [first, second] = logins();
    const renewals = bao.auditRequests({ pathPrefix: "auth/token/renew-self" });
    const beforeSecond = renewals.filter((r) => r.time < second!.time);
    assert.ok(beforeSecond.length >= 1, "the first token was renewed");
    // renewals come at ~2/3 of the 3s TTL, each planned from the previous answer:
    // consecutive renewals are never closer than a third of the TTL (a slow
    // machine only spreads them further), so 8s of max TTL holds at most 4
    const times = beforeSecond.map((r) => Date.parse(r.time));
    for (let i = 1; i < times.length; i++) {
      const spacing = times[i]! - times[i - 1]!;
      assert.ok(spacing >= 1000, `renewal ${i + 1} came ${spacing} ms after the previous one`);
    }
    assert.ok(beforeSecond.length <= 4, `no wasted renewals (${beforeSecond.length})`);
    const gap = Date.parse(beforeSecond[0]!.time) - Date.parse(first!.time);
    assert.ok(gap >= 1500, `first renewal ${gap} ms after login: not right after it`);
    // the new token is in the sink, 0640 (the audit log has the second login
    // as soon as it is asked for; the agent adopts it once the answer is in)
    const parts = await agent.parts();
    await eventually(
      "the second token adopted and in the sink",
      5000,
      () =>
        parts.auth.current()?.generation === 2 &&
        readFileSync(sink, "utf8") === parts.auth.current()?.token,
    );
    assert.equal(statSync(sink).mode & 0o777, 0o640);
    // KV is not fetched again because the token changed
    assert.equal(bao.auditRequests({ pathPrefix: "kv/data/app", excludeRoot: true }).length, 1);
    assert.equal(readFileSync(out, "utf8"), "hello");
    const token = parts.auth.current()?.token;
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([token, readFileSync(jwtPath, "utf8"), "hello"]);
  } finally {
    await agent.stop();
  }
});

test("a token revoked from outside is replaced by one fresh login, without a burst", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { greeting: "hello" });
  const out = join(dir, "out");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: 500 },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  try {
    const parts = await agent.parts();
    await eventually("ready", 15_000, () => parts.runner.ready);
    const revoked = parts.auth.current()!.token;
    await bao.api("POST", "auth/token/revoke", { token: revoked });
    const logins = () => bao.auditRequests({ pathPrefix: "auth/jwt/login" }).length;
    await eventually("a fresh login", 15_000, () => logins() === 2);
    await kvPut(bao, "kv", "app", { greeting: "hello again" });
    await eventually(
      "the new token reads KV",
      15_000,
      () => readFileSync(out, "utf8") === "hello again",
    );
    const reads = bao.auditRequests({ pathPrefix: "kv/data/app", excludeRoot: true }).length;
    await eventually(
      "more reads",
      15_000,
      () => bao.auditRequests({ pathPrefix: "kv/data/app", excludeRoot: true }).length >= reads + 3,
    );
    assert.equal(logins(), 2, "exactly one fresh login");
    assert.ok(
      bao.auditRequests({ pathPrefix: "auth/token/lookup-self" }).length <= 1,
      "one check of the token at most",
    );
    const now = parts.auth.current()!.token;
    assert.notEqual(now, revoked);
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([revoked, now, "hello again"]);
  } finally {
    await agent.stop();
  }
});
