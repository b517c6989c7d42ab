import { test } from "node:test";
import assert from "node:assert/strict";
import { startOpenBao } from "./openbao.ts";
import { configureDatabaseEngine, pgLogin, startPostgres } from "./postgres.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("PostgreSQL runs as a non-root user on loopback, and OpenBao mints credentials that log in", async (t) => {
  const [pg, bao] = await Promise.all([startPostgres({ t }), startOpenBao({ t })]);
  const [who] = await pg.query<{ current_user: string; addr: string | null }>(
    "SELECT current_user, inet_server_addr()::text AS addr",
  );
  assert.equal(who?.current_user, "vaultlet_admin");
  assert.equal(who?.addr, "127.0.0.1/32");
  const [setting] = await pg.query<{ listen_addresses: string }>("SHOW listen_addresses");
  assert.equal(setting?.listen_addresses, "127.0.0.1");
  if (process.getuid?.() === 0) {
    const [owner] = await pg.query<{ usename: string }>(
      "SELECT pg_catalog.pg_get_userbyid(datdba) AS usename FROM pg_database WHERE datname = 'postgres'",
    );
    assert.equal(owner?.usename, "vaultlet_admin");
  }
  await pg.query("CREATE TABLE orders (id int)");
  await pg.query("INSERT INTO orders VALUES (1), (2)");

  const db = await configureDatabaseEngine(bao, pg, { defaultTtl: "2m", maxTtl: "10m" });
  const creds = await bao.api<{
    lease_id: string;
    lease_duration: number;
    renewable: boolean;
    data: { username: string; password: string };
  }>("GET", db.credsPath);
  assert.equal(creds.lease_duration, 120);
  assert.equal(creds.renewable, true);
  assert.match(creds.lease_id, /^database\/creds\/app\//);
  assert.equal(await pgLogin(pg, creds.data), creds.data.username);

  await assert.rejects(
    pgLogin(pg, { username: creds.data.username, password: "wrong" }),
    /password/,
  );

  // revoking the lease drops the role: the same credentials no longer log in
  await bao.api("PUT", "sys/leases/revoke", { lease_id: creds.lease_id });
  await assert.rejects(pgLogin(pg, creds.data));

  const { pid } = pg;
  await pg.stop();
  assert.equal(alive(pid), false);
});
