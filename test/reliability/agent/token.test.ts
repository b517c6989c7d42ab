/**
 * Token faults: the agent's Vault token revoked from outside, the login
 * credential file (a projected JWT) missing while a new login is needed, and
 * a token_file whose token is replaced (the old one revoked).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  kvPut,
  runInProcess,
  tokenFileAuth,
  type RunningAgent,
} from "../../agent/agent-harness.ts";
import type { OpenBaoServer } from "../../support/openbao.ts";
import {
  assertBackoff,
  assertContentKept,
  metricsOf,
  recordArrivals,
  sample,
  sleep,
  watchContent,
} from "./kit.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;
const TEMPLATE = '{{ with secret "kv/app" }}PASSWORD={{ .Data.data.password }}{{ end }}\n';

async function revoke(bao: OpenBaoServer, token: string): Promise<void> {
  await bao.api("POST", "auth/token/revoke", { token });
}

async function started(bao: OpenBaoServer, jwtPath: string, out: string): Promise<RunningAgent> {
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: 300 },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  await eventually("first render", 15_000, () => existsSync(out));
  return agent;
}

test("token revoked from outside: the agent notices, logs in again, keeps the file and renders new data", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "first-Pa55word-t1" });
  const out = join(dir, "app.env");
  const agent = await started(bao, jwtPath, out);
  try {
    const parts = await agent.parts();
    const old = parts.auth.current()!.token;
    const watch = watchContent(out, (s) => s === "PASSWORD=first-Pa55word-t1\n");
    await revoke(bao, old);
    await eventually("a new token", 10_000, () => parts.auth.current()?.token !== old);
    await sleep(500);
    assertContentKept(watch);
    assert.equal(agent.logs.messages("Vault rejected the token; logging in again").length, 1);
    const relogin = agent.logs.messages("logged in to Vault").at(-1)!;
    assert.equal(relogin.reason, "token rejected");

    await kvPut(bao, "kv", "app", { password: "second-Pa55word-t1" });
    await eventually("new value rendered", 10_000, () =>
      readFileSync(out, "utf8") === "PASSWORD=second-Pa55word-t1\n" ? true : undefined,
    );
    const metrics = await metricsOf(parts);
    assert.equal(sample(metrics, "vaultlet_agent_logins_total", { result: "success" }), 2);
    agent.logs.assertNoSecrets([
      "first-Pa55word-t1",
      "second-Pa55word-t1",
      old,
      parts.auth.current()?.token,
    ]);
  } finally {
    await agent.stop();
  }
});

test("login credential file missing while a login is needed: logins back off, the file stays, and the agent logs in once the file is back", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "first-Pa55word-t2" });
  const out = join(dir, "app.env");
  const agent = await started(bao, jwtPath, out);
  try {
    const parts = await agent.parts();
    const old = parts.auth.current()!.token;
    const jwt = readFileSync(jwtPath, "utf8");
    renameSync(jwtPath, `${jwtPath}.away`);
    const watch = watchContent(out, (s) => s === "PASSWORD=first-Pa55word-t2\n");
    const failures = () => agent.logs.messages("login failed").length;
    const arrivals = recordArrivals(failures);
    await revoke(bao, old);
    await eventually("a failed login", 10_000, () => failures() >= 1);
    await sleep(3000);
    const times = arrivals.stop();
    assertContentKept(watch);
    // min_backoff 200 ms, max 1 s: a handful of tries in 3 s, never a spin
    assertBackoff(times, 10);
    assert.match(
      String(agent.logs.messages("login failed")[0]!.error),
      /AUTH_FILE_UNREADABLE: .*jwt does not exist/,
    );
    assert.ok(
      sample(await metricsOf(parts), "vaultlet_agent_logins_total", { result: "failure" }) >= 1,
    );

    writeFileSync(jwtPath, jwt);
    await eventually("logged in again", 10_000, () =>
      parts.auth.current() && parts.auth.current()!.token !== old ? true : undefined,
    );
    await kvPut(bao, "kv", "app", { password: "second-Pa55word-t2" });
    await eventually("new value rendered", 10_000, () =>
      readFileSync(out, "utf8") === "PASSWORD=second-Pa55word-t2\n" ? true : undefined,
    );
    agent.logs.assertNoSecrets([
      "first-Pa55word-t2",
      "second-Pa55word-t2",
      old,
      jwt,
      parts.auth.current()?.token,
    ]);
  } finally {
    await agent.stop();
  }
});

test("token file replaced with a new token and the old one revoked: the agent adopts the new token without losing the file", async () => {
  const { bao, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "first-Pa55word-t3" });
  const first = await bao.createToken({ policies: ["app"], ttl: "1h" });
  const tokenPath = join(dir, "token");
  writeFileSync(tokenPath, first.client_token);
  const out = join(dir, "app.env");
  const agent = runInProcess(
    baseConfig({
      ...tokenFileAuth(bao, tokenPath),
      template_config: { static_secret_render_interval: 300 },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  try {
    await eventually("first render", 15_000, () => existsSync(out));
    const parts = await agent.parts();
    const second = await bao.createToken({ policies: ["app"], ttl: "1h" });
    const watch = watchContent(out, (s) => s === "PASSWORD=first-Pa55word-t3\n");
    // replaced the way a writer should (rename over), then the old token revoked
    writeFileSync(`${tokenPath}.new`, second.client_token);
    renameSync(`${tokenPath}.new`, tokenPath);
    await revoke(bao, first.client_token);
    await eventually("the new token adopted", 10_000, () =>
      parts.auth.current()?.token === second.client_token ? true : undefined,
    );
    await sleep(500);
    assertContentKept(watch);
    await kvPut(bao, "kv", "app", { password: "second-Pa55word-t3" });
    await eventually("new value rendered", 10_000, () =>
      readFileSync(out, "utf8") === "PASSWORD=second-Pa55word-t3\n" ? true : undefined,
    );
    agent.logs.assertNoSecrets([
      "first-Pa55word-t3",
      "second-Pa55word-t3",
      first.client_token,
      second.client_token,
    ]);
  } finally {
    await agent.stop();
  }
});
