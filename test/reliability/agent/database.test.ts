/**
 * Leased-secret faults with real PostgreSQL behind OpenBao's database engine:
 * PostgreSQL unreachable while a lease renewal is due (OpenBao reaches it
 * through a TCP relay the test takes down and up again on the same port),
 * and the lease revoked from outside.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  configureDatabaseEngine,
  pgLogin,
  startPostgres,
  type PostgresServer,
} from "../../support/postgres.ts";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  runInProcess,
} from "../../agent/agent-harness.ts";
import {
  assertBackoff,
  assertContentKept,
  metricsOf,
  recordArrivals,
  sample,
  sleep,
  startTcpRelay,
  watchContent,
} from "./kit.ts";

const POLICY = `
path "database/creds/app" { capabilities = ["read"] }
path "sys/leases/renew" { capabilities = ["update"] }
`;
const TEMPLATE =
  '{{ with secret "database/creds/app" }}{{ .Data.username }}:{{ .Data.password }}{{ end }}';

function creds(text: string): { username: string; password: string } {
  const [username = "", password = ""] = text.split(":");
  return { username, password };
}

const looksLikeCreds = (s: string) => /^[^:\s]+:[^:\s]+$/.test(s);

async function setUp(relayed: boolean) {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  const pg = await startPostgres();
  const relay = relayed ? await startTcpRelay(pg.port) : undefined;
  // OpenBao reaches PostgreSQL at the relay's port when there is one
  const target = relay
    ? (Object.create(pg, { port: { value: relay.port } }) as PostgresServer)
    : pg;
  await configureDatabaseEngine(bao, target, { defaultTtl: "8s", maxTtl: "1m" });
  const out = join(dir, "db.creds");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  await eventually(
    "first creds",
    15_000,
    () => existsSync(out) && looksLikeCreds(readFileSync(out, "utf8")),
  );
  return { bao, pg, relay, out, agent };
}

test("PostgreSQL down during a lease renewal: the creds file stays, the agent fetches anew with backoff, and new creds land when it is back", async () => {
  const { bao, pg, relay, out, agent } = await setUp(true);
  try {
    const parts = await agent.parts();
    const first = readFileSync(out, "utf8");
    // the renewal, then the fetches that follow it
    const requests = () =>
      bao.auditRequests({ pathPrefix: "sys/leases/renew", excludeRoot: true }).length +
      bao.auditRequests({ pathPrefix: "database/creds/app", excludeRoot: true }).length;

    await relay!.down();
    const watch = watchContent(out, (s) => s === first);
    const arrivals = recordArrivals(requests);
    // OpenBao answers a renewal its database cannot confirm with 400: the agent
    // takes the lease as lost and fetches new creds, which fail (500) and back off
    await eventually("a failed renewal", 15_000, () =>
      agent.logs.messages("lease renewal refused; fetching anew").length >= 1 ? true : undefined,
    );
    await sleep(3000);
    const times = arrivals.stop();
    assertContentKept(watch);
    // each attempt is up to 3 requests (the client retries a 500 twice): ~3 attempts in 3 s
    assertBackoff(times, 12);
    const failed = agent.logs.messages("secret request failed; keeping the last good value");
    assert.ok(failed.length >= 1);
    assert.match(
      String(failed[0]!.error),
      /fetching database\/creds\/app failed: [\s\S]*connection refused/,
    );
    const metrics = await metricsOf(parts);
    assert.ok(sample(metrics, "vaultlet_agent_lease_renewals_total", { result: "failure" }) >= 1);
    assert.ok(sample(metrics, "vaultlet_agent_secret_fetches_total", { result: "failure" }) >= 1);

    await relay!.up();
    await eventually("new creds rendered once PostgreSQL is back", 20_000, () =>
      readFileSync(out, "utf8") !== first ? true : undefined,
    );
    const now = creds(readFileSync(out, "utf8"));
    assert.equal(await pgLogin(pg, now), now.username);
    agent.logs.assertNoSecrets([creds(first).password, now.password, parts.auth.current()?.token]);
  } finally {
    await agent.stop();
  }
});

test("lease revoked from outside: the renewal is refused, the agent fetches new creds at once and they work", async () => {
  const { bao, pg, out, agent } = await setUp(false);
  try {
    const parts = await agent.parts();
    const first = readFileSync(out, "utf8");
    await bao.api("PUT", "sys/leases/revoke-prefix/database/creds/app");
    await assert.rejects(pgLogin(pg, creds(first)), "the revoked creds stop working");
    const watch = watchContent(out, (s) => s === first || looksLikeCreds(s));
    await eventually("new creds rendered", 15_000, () =>
      readFileSync(out, "utf8") !== first ? true : undefined,
    );
    assertContentKept(watch);
    const refused = agent.logs.messages("lease renewal refused; fetching anew");
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.secret, "database/creds/app");
    const now = creds(readFileSync(out, "utf8"));
    assert.equal(await pgLogin(pg, now), now.username);
    const reads = bao.auditRequests({ pathPrefix: "database/creds/app", excludeRoot: true });
    assert.equal(reads.length, 2, "one fetch at start, one after the refusal");
    agent.logs.assertNoSecrets([creds(first).password, now.password, parts.auth.current()?.token]);
  } finally {
    await agent.stop();
  }
});
