import { before, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { VaultClient } from "../../../shared/vault/index.ts";
import { startOpenBao } from "../../support/openbao.ts";
import type { OpenBaoServer } from "../../support/openbao.ts";
import type { PkiInfo } from "../../support/openbao-admin.ts";
import { configureDatabaseEngine, pgLogin, startPostgres } from "../../support/postgres.ts";
import type { PostgresServer } from "../../support/postgres.ts";

let bao: OpenBaoServer;
let pg: PostgresServer;
let pki: PkiInfo;
let vault: VaultClient;

before(async () => {
  [bao, pg] = await Promise.all([startOpenBao(), startPostgres()]);
  await configureDatabaseEngine(bao, pg, { role: "app", defaultTtl: "1m", maxTtl: "3m" });
  pki = await bao.enablePki("pki", { domain: "shop.test", maxTtl: "10m", ttl: "5m" });
  await bao.writePolicy(
    "app",
    `path "database/creds/app" { capabilities = ["read"] }
     path "pki/issue/${pki.role}" { capabilities = ["update"] }
     path "sys/leases/renew" { capabilities = ["update"] }
     path "sys/leases/revoke" { capabilities = ["update"] }`,
  );
  const auth = await bao.createToken({ policies: ["app"], ttl: "10m" });
  vault = new VaultClient({ address: bao.address, token: auth.client_token, retries: 0 });
});

test("database credentials log in to PostgreSQL; lease renew extends, revoke drops the role", async () => {
  const creds = await vault.read("database/creds/app");
  assert.equal(creds.renewable, true);
  assert.equal(creds.lease_duration, 60);
  const data = creds.data as { username: string; password: string };
  assert.equal(await pgLogin(pg, data), data.username);

  const renewed = await vault.leaseRenew(creds.lease_id, 120_000);
  assert.equal(renewed.lease_id, creds.lease_id);
  assert.equal(renewed.lease_duration, 120);
  assert.equal(renewed.renewable, true);

  await vault.leaseRevoke(creds.lease_id);
  await assert.rejects(pgLogin(pg, data), /authentication failed|does not exist/);
  await assert.rejects(vault.leaseRenew(creds.lease_id), { code: "VAULT_BAD_REQUEST" });
});

test("PKI issue via write: a certificate for the name, signed by the mount's CA, within max TTL", async () => {
  const res = await vault.write(`pki/issue/${pki.role}`, {
    common_name: "api.shop.test",
    ttl: "2m",
  });
  const data = res?.data as {
    certificate: string;
    issuing_ca: string;
    private_key: string;
    serial_number: string;
    expiration: unknown;
  };
  const cert = new X509Certificate(data.certificate);
  assert.match(cert.subject, /CN=api\.shop\.test/);
  assert.ok(cert.verify(new X509Certificate(pki.caPem).publicKey));
  assert.match(data.private_key, /PRIVATE KEY/);
  const lifetimeS = (Date.parse(cert.validTo) - Date.now()) / 1000;
  assert.ok(lifetimeS > 60 && lifetimeS <= 121, `2m certificate, got ${lifetimeS}s`);
  assert.equal(String(data.expiration), String(Math.floor(Date.parse(cert.validTo) / 1000)));

  await assert.rejects(vault.write(`pki/issue/${pki.role}`, { common_name: "evil.example.com" }), {
    code: "VAULT_BAD_REQUEST",
    status: 400,
  });
});
