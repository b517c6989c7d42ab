import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { configureDatabaseEngine, startPostgres } from "../../support/postgres.ts";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  runInProcess,
  kvPut,
} from "../agent-harness.ts";

const POLICY = `
path "kv/data/*" { capabilities = ["read"] }
path "database/creds/app" { capabilities = ["read"] }
path "sys/leases/renew" { capabilities = ["update"] }
`;

test("for a fixed template set and TTLs the agent sends no more requests than the plan", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY, { tokenTtl: "1h", tokenMaxTtl: "2h" });
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "shared", { a: "1" });
  const pg = await startPostgres();
  await configureDatabaseEngine(bao, pg, { defaultTtl: "4s", maxTtl: "1h" });
  const intervalMs = 1000;
  const leaseMs = 4000;
  const kv = '{{ with secret "kv/shared" }}{{ .Data.data.a }}{{ end }}';
  const db = '{{ with secret "database/creds/app" }}{{ .Data.username }}{{ end }}';
  const files = ["one", "two", "three"].map((n) => join(dir, n));
  const started = Date.now();
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: intervalMs },
      // three templates, two of them share the KV secret and all share the database creds
      template: [
        fileTemplate(files[0]!, kv + db),
        fileTemplate(files[1]!, kv),
        fileTemplate(files[2]!, db),
      ],
    }),
  );
  try {
    await eventually("rendered", 15_000, () => files.every((f) => existsSync(f)));
    // the agent's requests: not the set-up's (root, or before the agent started)
    const all = () =>
      bao.auditRequests({ excludeRoot: true }).filter((r) => Date.parse(r.time) >= started);
    await eventually("a few refresh cycles", 20_000, () =>
      all().filter((r) => r.path === "sys/leases/renew").length >= 2 ? true : undefined,
    );
    const elapsed = Date.now() - started;
    const seen = all();
    const count = (p: string) => seen.filter((r) => r.path === p).length;
    // the plan: what the refresh table allows in `elapsed`
    const plan = {
      "auth/jwt/login": 1,
      "sys/internal/ui/mounts/kv/shared": 1,
      "sys/internal/ui/mounts/database/creds/app": 1,
      "kv/data/shared": 1 + Math.floor(elapsed / (0.85 * intervalMs)),
      "database/creds/app": 1,
      "sys/leases/renew": Math.floor(elapsed / (0.6 * leaseMs)),
      "auth/token/renew-self": 0,
      "auth/token/lookup-self": 0,
    };
    for (const [path, max] of Object.entries(plan)) {
      assert.ok(count(path) <= max, `${path}: ${count(path)} requests, plan allows ${max}`);
    }
    const planned = new Set(Object.keys(plan));
    const unplanned = seen.filter((r) => !planned.has(r.path)).map((r) => r.path);
    assert.deepEqual(unplanned, [], "no request outside the plan");
    assert.equal(count("auth/jwt/login"), 1);
    assert.equal(count("database/creds/app"), 1, "one set of credentials for three templates");
    assert.equal(await agent.stop(), 0);
  } finally {
    await agent.stop();
  }
});
