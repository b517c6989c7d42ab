import assert from "node:assert/strict";
import { lstat, mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { volumeRootOf, writeFileAtomic } from "../../../agent/output/index.ts";

// /dev/shm is a tmpfs mount of its own, like a pod's in-memory secrets volume.
const VOLUME = "/dev/shm";
let dir: string;
let outside: string;

before(async () => {
  dir = await mkdtemp(path.join(VOLUME, "vaultlet-volume-"));
  outside = await mkdtemp(path.join(tmpdir(), "vaultlet-outside-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("volumeRootOf", () => {
  it("finds the mount point of the volume holding a destination", async () => {
    await mkdir(path.join(dir, "a/b"), { recursive: true });
    assert.equal(await volumeRootOf(path.join(dir, "a/b/secret.env")), VOLUME);
    assert.equal(await volumeRootOf(path.join(dir, "not/yet/made/file")), VOLUME);
  });

  it("stops at a symlink, so the write through it is refused", async () => {
    await symlink(outside, path.join(dir, "escape"));
    const dest = path.join(dir, "escape/secret.env");
    const root = await volumeRootOf(dest);
    assert.equal(root, VOLUME);
    await assert.rejects(writeFileAtomic(root, dest, "s3cret"), { code: "OUTPUT_PATH_SYMLINK" });
    assert.deepEqual(await readdir(outside), []);
  });

  it("answers with a mount point holding the path, wherever that is", async () => {
    const dest = path.join(outside, "file");
    const root = await volumeRootOf(dest);
    assert.ok(dest.startsWith(root), `${root} holds ${dest}`);
    assert.equal((await lstat(outside)).dev, (await lstat(root)).dev);
    if (root !== "/") {
      assert.notEqual((await lstat(root)).dev, (await lstat(path.dirname(root))).dev);
    }
  });
});
