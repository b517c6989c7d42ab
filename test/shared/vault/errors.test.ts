import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { VaultletError } from "../../../shared/errors.ts";
import {
  VaultClient,
  VaultError,
  VaultRequestError,
  VaultResponseError,
} from "../../../shared/vault/index.ts";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tlsFixture } from "../../webhook/server/tls-fixture.ts";
import { startOpenBao } from "../../support/openbao.ts";
import type { OpenBaoServer } from "../../support/openbao.ts";

let bao: OpenBaoServer;
let token: string;
const SECRET_NAME = "hunter2-super-secret-value";

before(async () => {
  bao = await startOpenBao();
  await bao.enableKvV2("kv");
  await bao.kvPut("kv", "private", { password: SECRET_NAME });
  await bao.enablePki("pki", { domain: "shop.test" });
  await bao.writePolicy(
    "narrow",
    `path "kv/data/public" { capabilities = ["read"] }
     path "pki/issue/*" { capabilities = ["update"] }`,
  );
  token = (await bao.createToken({ policies: ["narrow"], ttl: "10m" })).client_token;
});

/** Every way an error gets printed or serialised. */
function renderings(err: unknown): string[] {
  return [
    String(err),
    (err as Error).message,
    (err as Error).stack ?? "",
    inspect(err, { depth: 10, showHidden: true }),
    JSON.stringify(err),
    JSON.stringify({ wrapped: err }),
  ];
}

test("403: VAULT_PERMISSION_DENIED with status, method, path, address and Vault's message", async () => {
  const vault = new VaultClient({ address: bao.address, token, retries: 0 });
  const err = await vault.read("kv/data/private").catch((e: unknown) => e);
  assert.ok(err instanceof VaultResponseError);
  assert.ok(err instanceof VaultError);
  assert.ok(err instanceof VaultletError);
  assert.equal(err.code, "VAULT_PERMISSION_DENIED");
  assert.equal(err.status, 403);
  assert.equal(err.method, "GET");
  assert.equal(err.path, "kv/data/private");
  assert.equal(err.address, bao.address);
  assert.deepEqual(err.errors, ["1 error occurred:\n\t* permission denied\n\n"]);
  assert.match(
    err.message,
    /^Vault 403 on GET \/v1\/kv\/data\/private at http:\/\/127\.0\.0\.1:\d+: /,
  );
  for (const text of renderings(err)) assert.ok(!text.includes(token), "no token in output");
  vault.close();
});

test("a token and a request value Vault echoes back never reach any rendering of the error", async () => {
  const vault = new VaultClient({ address: bao.address, token, retries: 0 });
  // PKI refuses the name and quotes it in its error message: the client scrubs it
  const err = await vault
    .write("pki/issue/shop-dot-test", { common_name: `${SECRET_NAME}.evil.example.com` })
    .catch((e: unknown) => e);
  assert.ok(err instanceof VaultResponseError);
  assert.equal(err.code, "VAULT_BAD_REQUEST");
  assert.match(err.message, /\[redacted\]/, "Vault's echo was there and was scrubbed");
  for (const text of renderings(err)) {
    assert.ok(!text.includes(token), "no token");
    assert.ok(!text.includes(SECRET_NAME), "no request value");
    assert.ok(!/X-Vault-Token/i.test(text), "no headers");
  }
  assert.ok(!inspect(vault).includes(token), "the client's own inspect hides the token");
  assert.ok(!JSON.stringify(vault).includes(token));
  vault.close();
});

test("404 is VAULT_NOT_FOUND; 400 is VAULT_BAD_REQUEST", async () => {
  const vault = new VaultClient({ address: bao.address, token: bao.rootToken, retries: 0 });
  await assert.rejects(vault.read("kv/data/nothing-here"), {
    code: "VAULT_NOT_FOUND",
    status: 404,
  });
  await assert.rejects(vault.write("sys/policies/acl/bad", { policy: "not hcl {" }), {
    code: "VAULT_BAD_REQUEST",
    status: 400,
  });
  vault.close();
});

test("an unreachable address: VAULT_UNAVAILABLE naming the address, after the configured retries", async () => {
  const events: number[] = [];
  const vault = new VaultClient({
    address: "http://127.0.0.1:1",
    token,
    retries: 2,
    retryBaseDelayMs: 10,
    onRequest: (e) => events.push(e.attempt),
  });
  const err = await vault.read("kv/data/x").catch((e: unknown) => e);
  assert.ok(err instanceof VaultRequestError);
  assert.equal(err.code, "VAULT_UNAVAILABLE");
  assert.equal(err.message, "cannot reach Vault at http://127.0.0.1:1: connection refused");
  assert.equal(err.errno, "ECONNREFUSED");
  assert.deepEqual(events, [1, 2, 3]);
  for (const text of renderings(err)) assert.ok(!text.includes(token));
  vault.close();
});

test("a hung server: VAULT_TIMEOUT after the per-attempt timeout", async (t) => {
  const frozen = await startOpenBao({ t });
  const vault = new VaultClient({
    address: frozen.address,
    token: frozen.rootToken,
    timeoutMs: 300,
    retries: 0,
  });
  await frozen.freeze();
  try {
    await assert.rejects(vault.read("sys/mounts"), (err: unknown) => {
      assert.ok(err instanceof VaultRequestError);
      assert.equal(err.code, "VAULT_TIMEOUT");
      assert.match(err.message, /did not answer GET \/v1\/sys\/mounts within 300 ms/);
      assert.ok(err.message.includes(frozen.address));
      return true;
    });
  } finally {
    frozen.resume();
  }
  vault.close();
});

test("a sealed server: VAULT_SEALED (503), and health() reports sealed without throwing", async (t) => {
  const server = await startOpenBao({ t, storage: "file" });
  await server.enableKvV1("kv1");
  await server.kvPut("kv1", "x", { a: "b" });
  const vault = new VaultClient({ address: server.address, token: server.rootToken, retries: 0 });
  const up = await vault.health();
  assert.deepEqual([up.status, up.initialized, up.sealed, up.standby], [200, true, false, false]);
  assert.match(up.version ?? "", /^\d+\.\d+/);
  await server.seal();
  await assert.rejects(vault.read("kv1/x"), (err: unknown) => {
    assert.ok(err instanceof VaultResponseError);
    assert.equal(err.code, "VAULT_SEALED");
    assert.equal(err.status, 503);
    assert.match(err.message, /sealed/);
    return true;
  });
  const health = await vault.health();
  assert.equal(health.status, 503);
  assert.equal(health.sealed, true);
  assert.equal(health.initialized, true);
  vault.close();
});

test("bad options fail at construction with VAULT_CONFIG naming the value", () => {
  assert.throws(
    () => new VaultClient({ address: "vault:8200" }),
    (err: unknown) => {
      assert.ok(err instanceof VaultError);
      assert.equal(err.code, "VAULT_CONFIG");
      assert.match(err.message, /"vault:8200"/);
      return true;
    },
  );
  assert.throws(() => new VaultClient({ address: "not a url" }), { code: "VAULT_CONFIG" });
  assert.throws(
    () => new VaultClient({ address: "https://127.0.0.1:8200", caCert: "/nonexistent/ca.pem" }),
    (err: unknown) =>
      err instanceof VaultError &&
      err.code === "VAULT_CONFIG" &&
      /\/nonexistent\/ca\.pem: ENOENT/.test(err.message),
  );
});

test("TLS: CA file and server name verify the server; without them VAULT_TLS, with skip-verify it connects", async (t) => {
  // Any HTTPS server with a certificate from a CA of its own will do: this one answers 404.
  const fx = await tlsFixture();
  const server = createServer({ cert: fx.first.certPem, key: fx.first.keyPem }, (_req, res) => {
    res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[]}');
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await fx.cleanup();
  });
  const dir = mkdtempSync(join(tmpdir(), "vaultlet-ca-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "ca.pem"), fx.ca.certPem);
  const port = (server.address() as AddressInfo).port;
  const https = { url: `https://127.0.0.1:${port}` };

  const verified = new VaultClient({
    address: https.url,
    caCert: join(dir, "ca.pem"),
    retries: 0,
  });
  assert.equal((await verified.health()).status, 404, "TLS handshake succeeded; not a Vault");
  const byName = new VaultClient({
    address: `https://127.0.0.1:${port}`,
    caPath: dir,
    tlsServerName: "localhost",
    retries: 0,
  });
  assert.equal((await byName.health()).status, 404);

  const untrusting = new VaultClient({ address: https.url, retries: 3 });
  const events: number[] = [];
  untrusting.observe((e) => events.push(e.attempt));
  await assert.rejects(untrusting.health(), (err: unknown) => {
    assert.ok(err instanceof VaultRequestError);
    assert.equal(err.code, "VAULT_TLS");
    assert.ok(err.message.includes(https.url));
    return true;
  });
  await assert.rejects(untrusting.read("x"), { code: "VAULT_TLS" });
  assert.deepEqual(events, [1, 1], "certificate errors are not retried");

  const skipping = new VaultClient({ address: https.url, tlsSkipVerify: true, retries: 0 });
  assert.equal((await skipping.health()).status, 404);
  for (const c of [verified, byName, untrusting, skipping]) c.close();
});
