import { before, test } from "node:test";
import assert from "node:assert/strict";
import { JsonNumber } from "../../../shared/json-number.ts";
import { VaultClient, VaultResponseError } from "../../../shared/vault/index.ts";
import type { RequestEvent } from "../../../shared/vault/index.ts";
import { startOpenBao } from "../../support/openbao.ts";
import type { OpenBaoServer } from "../../support/openbao.ts";

let bao: OpenBaoServer;
let token: string;
let accessor: string;

before(async () => {
  bao = await startOpenBao({ audit: true });
  await bao.enableKvV2("kv");
  await bao.enableKvV1("kv1");
  // numbers written as text Vault keeps verbatim: the client must too
  await rawWrite(
    "kv/data/app/config",
    '{"data":{"user":"alice","port":5432,"ratio":10.5,"big":12345678901234567890}}',
  );
  await rawWrite("kv1/app/config", '{"user":"carol","timeout":1e3,"price":10.50}');
  await bao.kvPut("kv1", "app/other", { user: "dave" });
  await bao.writePolicy(
    "app",
    `path "kv/data/app/*" { capabilities = ["read", "create", "update", "delete"] }
     path "kv/metadata/app/*" { capabilities = ["list", "read", "delete"] }
     path "kv1/app/*" { capabilities = ["read", "list", "create", "update", "delete"] }`,
  );
  const auth = await bao.createToken({ policies: ["app"], ttl: "10m" });
  token = auth.client_token;
  accessor = auth.accessor;
});

async function rawWrite(path: string, json: string): Promise<void> {
  const res = await fetch(`${bao.address}/v1/${path}`, {
    method: "POST",
    headers: { "X-Vault-Token": bao.rootToken, "Content-Type": "application/json" },
    body: json,
  });
  assert.ok(res.ok, `write ${path}: ${res.status}`);
}

function client(events?: RequestEvent[]): VaultClient {
  const c = new VaultClient({ address: bao.address, token, timeoutMs: 5000, retries: 0 });
  if (events) c.observe((e) => events.push(e));
  return c;
}

test("KV v2 read: envelope, data.data and metadata, numbers keep their written form", async () => {
  const vault = client();
  const res = await vault.read("kv/data/app/config");
  assert.equal(res.lease_duration, 0);
  assert.equal(typeof res.request_id, "string");
  const data = res.data as { data: Record<string, unknown>; metadata: Record<string, unknown> };
  assert.equal(data.data.user, "alice");
  assert.ok(data.data.port instanceof JsonNumber);
  assert.equal(String(data.data.port), "5432");
  assert.equal(String(data.data.ratio), "10.5");
  assert.equal(String(data.data.big), "12345678901234567000");
  assert.equal(String(data.metadata.version), "1");
  vault.close();
});

test("KV v1 read keeps number text exactly (1e3 stays 1e3, 10.50 stays 10.50)", async () => {
  const vault = client();
  const res = await vault.read("/kv1/app/config");
  const data = res.data as Record<string, unknown>;
  assert.equal(data.user, "carol");
  assert.equal(String(data.timeout), "1e3");
  assert.equal((data.timeout as JsonNumber).value, 1000);
  assert.equal(String(data.price), "10.50");
  assert.equal(JSON.stringify(data), '{"price":10.5,"timeout":1000,"user":"carol"}');
  // the envelope's numbers are plain numbers
  assert.equal(typeof res.lease_duration, "number");
  vault.close();
});

test("write, read with a query, list and delete", async () => {
  const vault = client();
  const written = await vault.write("kv/data/app/new", { data: { k: "v1" } });
  assert.equal(String((written?.data as Record<string, unknown>).version), "1");
  await vault.write("kv/data/app/new", { data: { k: "v2" } });
  const old = await vault.read("kv/data/app/new", { version: "1" });
  assert.equal((old.data as { data: { k: string } }).data.k, "v1");
  const oldByPairs = await vault.read("kv/data/app/new", [["version", "2"]]);
  assert.equal((oldByPairs.data as { data: { k: string } }).data.k, "v2");

  assert.deepEqual((await vault.list("kv1/app")).data?.keys, ["config", "other"]);
  assert.deepEqual((await vault.list("kv/metadata/app/")).data?.keys, ["config", "new"]);

  assert.equal(await vault.write("kv1/app/tmp", { a: "b" }), undefined, "204 gives undefined");
  await vault.delete("kv1/app/tmp");
  await assert.rejects(vault.read("kv1/app/tmp"), (err: unknown) => {
    assert.ok(err instanceof VaultResponseError);
    assert.equal(err.code, "VAULT_NOT_FOUND");
    assert.equal(err.status, 404);
    assert.equal(err.method, "GET");
    assert.equal(err.path, "kv1/app/tmp");
    return true;
  });
  vault.close();
});

test("KV version detection: v2, v1, non-KV mounts; one request per mount, then cached", async () => {
  const events: RequestEvent[] = [];
  const vault = client(events);
  assert.equal(await vault.kvVersion("kv/app/config"), 2);
  assert.deepEqual(await vault.mountInfo("kv/app/other"), {
    mount: "kv/",
    type: "kv",
    kvVersion: 2,
  });
  assert.equal(await vault.kvVersion("kv"), 2);
  assert.equal(await vault.kvVersion("kv1/app/config"), 1);
  assert.equal(await vault.kvVersion("kv1/app/other"), 1);
  const detections = events.filter((e) => e.path.startsWith("sys/internal/ui/mounts/"));
  assert.deepEqual(
    detections.map((e) => e.path),
    ["sys/internal/ui/mounts/kv/app/config", "sys/internal/ui/mounts/kv1/app/config"],
  );
  // the server saw exactly those detection requests from this token
  const seen = bao.auditRequests({ accessor, pathPrefix: "sys/internal/ui/mounts/" });
  assert.ok(seen.length >= 2);
  assert.ok(seen.some((r) => r.path === "sys/internal/ui/mounts/kv/app/config"));

  // a mount the token cannot see: a failure, not a "v1" guess, and asked again next time
  await assert.rejects(vault.kvVersion("cubbyhole-nope/x"), VaultResponseError);
  const before = events.length;
  await assert.rejects(vault.kvVersion("cubbyhole-nope/x"), VaultResponseError);
  assert.equal(events.length, before + 1, "failed detection is not cached");
  vault.close();
});

test("observers see every exchange with method, path, status and duration; setToken keeps working", async () => {
  const events: RequestEvent[] = [];
  const vault = client(events);
  await vault.read("kv1/app/other");
  vault.setToken(undefined);
  assert.equal(vault.hasToken, false);
  await assert.rejects(vault.read("kv1/app/other"), { code: "VAULT_PERMISSION_DENIED" });
  vault.setToken(token);
  await vault.read("kv1/app/other");
  assert.deepEqual(
    events.map((e) => [e.method, e.path, e.status, e.attempt]),
    [
      ["GET", "kv1/app/other", 200, 1],
      ["GET", "kv1/app/other", 403, 1],
      ["GET", "kv1/app/other", 200, 1],
    ],
  );
  assert.ok(events.every((e) => e.durationMs >= 0));
  vault.close();
});

test("a per-call token is used for that call only, over the same client, and kept out of errors", async () => {
  const other = await bao.createToken({ policies: ["default"], ttl: "5m" });
  const vault = new VaultClient({ address: bao.address, retries: 0 });
  assert.equal(vault.hasToken, false);
  const res = await vault.read("kv1/app/other", undefined, { token });
  assert.equal((res.data as { user: string }).user, "dave");
  const me = await vault.tokenLookupSelf({ token: other.client_token });
  assert.equal(me.accessor, other.accessor);
  const err = await vault
    .read("kv1/app/other", undefined, { token: other.client_token })
    .catch((e: unknown) => e);
  assert.ok(err instanceof VaultResponseError);
  assert.equal(err.code, "VAULT_PERMISSION_DENIED");
  assert.ok(!JSON.stringify(err).includes(other.client_token));
  assert.equal(bao.auditRequests({ accessor: other.accessor }).length, 2);
  vault.close();
});
