import { test } from "node:test";
import assert from "node:assert/strict";
import { MountCache, NOT_KV_V2, kvV2DataPath, mountInfoFrom } from "../../../shared/vault/kv.ts";

test("mountInfoFrom: KV v2 only for type kv with version 2 (recorded sys/internal/ui/mounts shapes)", () => {
  assert.deepEqual(mountInfoFrom({ path: "secret/", type: "kv", options: { version: "2" } }), {
    mount: "secret/",
    type: "kv",
    kvVersion: 2,
  });
  assert.deepEqual(
    mountInfoFrom({ path: "kv1/", type: "kv", options: { version: "1" } }).kvVersion,
    1,
  );
  assert.deepEqual(mountInfoFrom({ path: "old/", type: "kv", options: null }).kvVersion, 1);
  assert.deepEqual(
    mountInfoFrom({ path: "database/", type: "database", options: { version: "2" } }),
    {
      mount: "database/",
      type: "database",
      kvVersion: 1,
    },
  );
  assert.deepEqual(mountInfoFrom(null), { mount: "", type: "", kvVersion: 1 });
});

test("kvV2DataPath inserts data/ after the mount once", () => {
  assert.equal(kvV2DataPath("secret/", "secret/app/db"), "secret/data/app/db");
  assert.equal(kvV2DataPath("secret/", "/secret/app/db"), "secret/data/app/db");
  assert.equal(kvV2DataPath("secret/", "secret/data/app/db"), "secret/data/app/db");
  assert.equal(kvV2DataPath("team/kv/", "team/kv/x"), "team/kv/data/x");
  assert.equal(kvV2DataPath("secret/", "other/x"), "other/x");
});

test("MountCache: longest mount wins; 404 answers are kept per exact path", () => {
  const cache = new MountCache();
  assert.equal(cache.get("a/b/c"), undefined);
  cache.set("a/x", { mount: "a/", type: "kv", kvVersion: 1 });
  cache.set("a/b/x", { mount: "a/b/", type: "kv", kvVersion: 2 });
  assert.equal(cache.get("a/b/c")?.kvVersion, 2);
  assert.equal(cache.get("a/c")?.kvVersion, 1);
  assert.equal(cache.get("a")?.mount, "a/");
  assert.equal(cache.get("ab/c"), undefined, "a/ is not a prefix mount of ab/");
  cache.set("nope/x", NOT_KV_V2);
  assert.equal(cache.get("nope/x"), NOT_KV_V2);
  assert.equal(cache.get("nope/y"), undefined);
  cache.clear();
  assert.equal(cache.get("a/b/c"), undefined);
});
