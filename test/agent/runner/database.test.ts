import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configureDatabaseEngine, pgLogin, startPostgres } from "../../support/postgres.ts";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  runInProcess,
} from "../agent-harness.ts";

const POLICY = `
path "database/creds/app" { capabilities = ["read"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }
`;

function parseCreds(text: string): { username: string; password: string } {
  const [username = "", password = ""] = text.trim().split(":");
  return { username, password };
}

test("database credentials: rendered creds log in, the lease is renewed, at max TTL new creds are rendered, the app is signalled and they work; revoked at shutdown when asked", async (t) => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  const pg = await startPostgres();
  await configureDatabaseEngine(bao, pg, { defaultTtl: "4s", maxTtl: "10s" });

  // the "app": counts SIGHUPs in a file
  const hups = join(dir, "hups");
  const pidFile = join(dir, "app.pid");
  // it writes its pid file once its handler is in place
  const app = spawn(
    process.execPath,
    [
      "-e",
      `const fs = require("fs");
       process.on("SIGHUP", () => fs.appendFileSync(${JSON.stringify(hups)}, "hup\\n"));
       fs.writeFileSync(${JSON.stringify(pidFile)}, process.pid + "\\n");
       setInterval(() => {}, 1000);`,
    ],
    { stdio: "ignore" },
  );
  t.after(() => app.kill("SIGKILL"));
  await eventually("app started", 10_000, () => existsSync(pidFile));

  const out = join(dir, "db.creds");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      vaultlet: { listen: "127.0.0.1:0", revoke_on_shutdown: true },
      template: [
        fileTemplate(
          out,
          '{{ with secret "database/creds/app" }}{{ .Data.username }}:{{ .Data.password }}{{ end }}',
          {
            signal: { signal: "SIGHUP", pid_file: pidFile },
          },
        ),
      ],
    }),
  );
  try {
    await eventually(
      "first creds",
      15_000,
      () => existsSync(out) && readFileSync(out, "utf8").includes(":"),
    );
    const first = parseCreds(readFileSync(out, "utf8"));
    assert.equal(await pgLogin(pg, first), first.username);
    await eventually("app signalled once", 5000, () => existsSync(hups));

    const renewals = () =>
      bao.auditRequests({ pathPrefix: "sys/leases/renew", excludeRoot: true }).length;
    await eventually("a lease renewal", 15_000, () => renewals() >= 1);
    // still the first creds after a renewal
    assert.equal(parseCreds(readFileSync(out, "utf8")).username, first.username);

    await eventually("new creds at max TTL", 20_000, () => {
      const now = parseCreds(readFileSync(out, "utf8"));
      return now.username !== first.username ? now : undefined;
    });
    const second = parseCreds(readFileSync(out, "utf8"));
    assert.equal(await pgLogin(pg, second), second.username);
    await eventually("app signalled for the new creds", 5000, () =>
      readFileSync(hups, "utf8") === "hup\nhup\n" ? true : undefined,
    );
    // each credential was fetched once: no duplicate fetches
    const reads = bao.auditRequests({ pathPrefix: "database/creds/app", excludeRoot: true }).length;
    assert.equal(reads, 2);

    const parts = await agent.parts();
    const metrics = await parts.metrics!.registry.metrics();
    assert.match(
      metrics,
      /vaultlet_agent_secret_expiry_seconds\{secret="database\/creds\/app"\} \d/,
    );
    assert.match(metrics, /vaultlet_agent_lease_renewals_total\{result="success"\} [1-9]/);
    assert.match(metrics, /vaultlet_agent_renders_total\{template="[^"]+db.creds"\} [2-9]/);
    const token = parts.auth.current()?.token;
    assert.equal(await agent.stop(), 0);
    // revoke_on_shutdown: the lease and the token end with the agent
    await assert.rejects(pgLogin(pg, second));
    assert.equal(agent.logs.messages("lease revoked").length, 1);
    assert.equal(agent.logs.messages("token revoked").length, 1);
    agent.logs.assertNoSecrets([first.password, second.password, token]);
  } finally {
    await agent.stop();
  }
});
