import { test } from "node:test";
import assert from "node:assert/strict";
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
`;

function creds(file: string) {
  const [username = "", password = ""] = readFileSync(file, "utf8").split(":");
  return { username, password };
}

test("dynamic secrets are replaced before the token that owns them expires", async () => {
  // the token lives 5s at most; the database lease would last a minute
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY, { tokenTtl: "2s", tokenMaxTtl: "5s" });
  const pg = await startPostgres();
  await configureDatabaseEngine(bao, pg, { defaultTtl: "1m", maxTtl: "1h" });
  const out = join(dir, "db");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template: [
        fileTemplate(
          out,
          '{{ with secret "database/creds/app" }}{{ .Data.username }}:{{ .Data.password }}{{ end }}',
        ),
      ],
    }),
  );
  try {
    await eventually("first creds", 15_000, () => existsSync(out));
    const first = creds(out);
    assert.equal(await pgLogin(pg, first), first.username);
    const second = await eventually("creds from the new token", 15_000, () => {
      const c = creds(out);
      return c.username !== first.username ? c : undefined;
    });
    // the new creds were fetched with the second token, before the first one ended
    const logins = bao.auditRequests({ pathPrefix: "auth/jwt/login" });
    const reads = bao.auditRequests({ pathPrefix: "database/creds/app", excludeRoot: true });
    assert.ok(logins.length >= 2 && reads.length >= 2);
    assert.ok(reads[1]!.time > logins[1]!.time, "replaced after the new login");
    assert.notEqual(
      reads[1]!.accessor,
      reads[0]!.accessor,
      "the new lease belongs to the new token",
    );
    assert.equal(await pgLogin(pg, second), second.username);
    // the first token's end took its lease along: the old creds stop working
    await eventually("old creds revoked with their token", 15_000, async () =>
      pgLogin(pg, first).then(
        () => undefined,
        () => true,
      ),
    );
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([first.password, second.password]);
  } finally {
    await agent.stop();
  }
});
