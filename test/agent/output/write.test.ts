import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "../../support/properties.ts";
import { writeFileAtomic, DEFAULT_FILE_MODE } from "../../../agent/output/index.ts";

let base: string;
let root: string;
let outside: string;
let n = 0;

before(async () => {
  base = await mkdtemp(path.join(tmpdir(), "vaultlet-output-"));
  outside = path.join(base, "outside");
  await mkdir(outside);
  await writeFile(path.join(outside, "victim"), "untouched");
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A fresh, empty output root per test. */
async function freshRoot(): Promise<string> {
  root = path.join(base, `root-${n++}`);
  await mkdir(root);
  return root;
}

async function rejectsWith(p: Promise<unknown>, code: string, mention?: string) {
  await assert.rejects(p, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    if (mention) assert.ok(err.message.includes(mention), err.message);
    return true;
  });
}

describe("writeFileAtomic", () => {
  it("writes a new file with mode 0640 by default", async () => {
    const r = await freshRoot();
    assert.deepEqual(await writeFileAtomic(r, "app.env", "A=1\n"), { changed: true });
    assert.equal(await readFile(path.join(r, "app.env"), "utf8"), "A=1\n");
    assert.equal((await stat(path.join(r, "app.env"))).mode & 0o7777, DEFAULT_FILE_MODE);
    assert.equal(DEFAULT_FILE_MODE, 0o640);
  });

  it("does not touch the file when the bytes are the same", async () => {
    const r = await freshRoot();
    const file = path.join(r, "creds");
    await writeFileAtomic(r, "creds", Buffer.from("user=a\n"));
    const old = new Date("2020-01-01T00:00:00Z");
    await utimes(file, old, old);
    const before = await stat(file);
    assert.deepEqual(await writeFileAtomic(r, file, "user=a\n"), { changed: false });
    const now = await stat(file);
    assert.equal(now.ino, before.ino);
    assert.equal(now.mtimeMs, before.mtimeMs);
  });

  it("replaces the file (a new inode) when the bytes differ", async () => {
    const r = await freshRoot();
    const file = path.join(r, "creds");
    await writeFileAtomic(r, "creds", "one");
    const first = await stat(file);
    assert.deepEqual(await writeFileAtomic(r, "creds", "two"), { changed: true });
    assert.equal(await readFile(file, "utf8"), "two");
    assert.notEqual((await stat(file)).ino, first.ino);
  });

  it("applies perms exactly, whatever the umask", async () => {
    const r = await freshRoot();
    const oldMask = process.umask(0o077);
    try {
      await writeFileAtomic(r, "a", "x", { perms: 0o644 });
      await writeFileAtomic(r, "b", "x", { perms: 0o400 });
    } finally {
      process.umask(oldMask);
    }
    assert.equal((await stat(path.join(r, "a"))).mode & 0o7777, 0o644);
    assert.equal((await stat(path.join(r, "b"))).mode & 0o7777, 0o400);
  });

  it("keeps an existing file's mode when no perms are set", async () => {
    const r = await freshRoot();
    await writeFileAtomic(r, "f", "1", { perms: 0o600 });
    await writeFileAtomic(r, "f", "2");
    assert.equal((await stat(path.join(r, "f"))).mode & 0o7777, 0o600);
  });

  it("corrects a wrong mode in place without rewriting equal bytes", async () => {
    const r = await freshRoot();
    await writeFileAtomic(r, "f", "same", { perms: 0o644 });
    const before = await stat(path.join(r, "f"));
    assert.deepEqual(await writeFileAtomic(r, "f", "same", { perms: 0o600 }), {
      changed: false,
    });
    const now = await stat(path.join(r, "f"));
    assert.equal(now.mode & 0o7777, 0o600);
    assert.equal(now.ino, before.ino);
  });

  it("rejects perms that are not mode bits", async () => {
    const r = await freshRoot();
    await rejectsWith(writeFileAtomic(r, "f", "x", { perms: 0o17777 }), "OUTPUT_PERMS_INVALID");
  });

  it("creates missing directories only with createDirs", async () => {
    const r = await freshRoot();
    await rejectsWith(
      writeFileAtomic(r, "a/b/c.txt", "x"),
      "OUTPUT_DIR_MISSING",
      "create_dest_dirs",
    );
    await writeFileAtomic(r, "a/b/c.txt", "x", { createDirs: true });
    assert.equal(await readFile(path.join(r, "a/b/c.txt"), "utf8"), "x");
    assert.ok((await stat(path.join(r, "a/b"))).isDirectory());
  });

  it("accepts absolute paths inside the root, also through the root's real path", async () => {
    const r = await freshRoot();
    const link = path.join(base, `root-link-${n}`);
    await symlink(r, link);
    await writeFileAtomic(link, path.join(link, "one"), "1");
    await writeFileAtomic(link, path.join(r, "two"), "2");
    assert.deepEqual((await readdir(r)).sort(), ["one", "two"]);
  });

  it("leaves no temporary files behind", async () => {
    const r = await freshRoot();
    for (let i = 0; i < 5; i++) await writeFileAtomic(r, "f", `v${i}`);
    await rejectsWith(writeFileAtomic(r, "../x", "x"), "OUTPUT_PATH_ESCAPES");
    assert.deepEqual(await readdir(r), ["f"]);
  });

  describe("refuses paths that leave the root", () => {
    const escapes = ["../outside/victim", "a/../../outside/victim", "./../x", ".."];
    for (const dest of escapes) {
      it(`"${dest}"`, async () => {
        const r = await freshRoot();
        await mkdir(path.join(r, "a"));
        await rejectsWith(writeFileAtomic(r, dest, "evil"), "OUTPUT_PATH_ESCAPES", dest);
        assert.equal(await readFile(path.join(outside, "victim"), "utf8"), "untouched");
      });
    }

    it("an absolute path elsewhere", async () => {
      const r = await freshRoot();
      const target = path.join(outside, "victim");
      await rejectsWith(writeFileAtomic(r, target, "evil"), "OUTPUT_PATH_ESCAPES", target);
      assert.equal(await readFile(target, "utf8"), "untouched");
    });

    it("the root itself", async () => {
      const r = await freshRoot();
      await rejectsWith(writeFileAtomic(r, ".", "x"), "OUTPUT_PATH_INVALID");
      await rejectsWith(writeFileAtomic(r, r, "x"), "OUTPUT_PATH_INVALID");
    });

    it("a symlinked directory pointing out of the root", async () => {
      const r = await freshRoot();
      await symlink(outside, path.join(r, "dir"));
      await rejectsWith(writeFileAtomic(r, "dir/victim", "evil"), "OUTPUT_PATH_SYMLINK", "dir");
      await rejectsWith(
        writeFileAtomic(r, "dir/new", "evil", { createDirs: true }),
        "OUTPUT_PATH_SYMLINK",
      );
      assert.deepEqual(await readdir(outside), ["victim"]);
      assert.equal(await readFile(path.join(outside, "victim"), "utf8"), "untouched");
    });

    it("a symlinked directory pointing inside the root", async () => {
      const r = await freshRoot();
      await mkdir(path.join(r, "real"));
      await symlink(path.join(r, "real"), path.join(r, "alias"));
      await rejectsWith(writeFileAtomic(r, "alias/f", "x"), "OUTPUT_PATH_SYMLINK");
    });

    it("a symlinked file, whether it points out, in, or nowhere", async () => {
      const r = await freshRoot();
      await symlink(path.join(outside, "victim"), path.join(r, "out"));
      await writeFile(path.join(r, "real"), "inside");
      await symlink(path.join(r, "real"), path.join(r, "in"));
      await symlink(path.join(outside, "missing"), path.join(r, "dangling"));
      for (const dest of ["out", "in", "dangling"]) {
        await rejectsWith(writeFileAtomic(r, dest, "evil"), "OUTPUT_PATH_SYMLINK", dest);
      }
      assert.equal(await readFile(path.join(outside, "victim"), "utf8"), "untouched");
      assert.equal(await readFile(path.join(r, "real"), "utf8"), "inside");
      assert.deepEqual(await readdir(outside), ["victim"]);
    });

    it("a directory in the file's place", async () => {
      const r = await freshRoot();
      await mkdir(path.join(r, "d"));
      await rejectsWith(writeFileAtomic(r, "d", "x"), "OUTPUT_NOT_WRITABLE", "d");
    });

    it("a missing root", async () => {
      await rejectsWith(
        writeFileAtomic(path.join(base, "no-such-root"), "f", "x"),
        "OUTPUT_ROOT_MISSING",
      );
    });

    it("never writes outside the root for any mix of .., . and names", async () => {
      const r = await freshRoot();
      const segment = fc.constantFrom("..", ".", "a", "b", "", "outside", "victim");
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 6 }), async (parts) => {
          const dest = parts.join("/");
          try {
            await writeFileAtomic(r, dest, "p", { createDirs: true });
          } catch (err) {
            assert.match((err as { code: string }).code, /^OUTPUT_/);
          }
          assert.deepEqual(await readdir(outside), ["victim"]);
          assert.equal(await readFile(path.join(outside, "victim"), "utf8"), "untouched");
          assert.deepEqual(
            (await readdir(base)).filter((e) => !e.startsWith("root-")),
            ["outside"],
          );
        }),
        { numRuns: 150 },
      );
    });
  });

  it("never shows a concurrent reader a partial file", async () => {
    const r = await freshRoot();
    const file = path.join(r, "big");
    const size = 2 * 1024 * 1024;
    const contents = ["a", "b"].map((c) => Buffer.alloc(size, c));
    await writeFileAtomic(r, "big", contents[0]!);
    const stopFile = path.join(r, "..", `stop-${n}`);
    // A separate process reads in a tight loop while this one rewrites.
    const reader = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs");
         let reads = 0, bad = 0;
         while (!fs.existsSync(process.argv[2])) {
           const b = fs.readFileSync(process.argv[1]);
           reads++;
           if (b.length !== ${size} || (b[0] !== 97 && b[0] !== 98) || b.indexOf(b[0] === 97 ? 98 : 97) !== -1) bad++;
         }
         process.stdout.write(JSON.stringify({ reads, bad }));`,
        file,
        stopFile,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    reader.stdout.on("data", (d) => (out += d));
    const done = new Promise((res) => reader.once("exit", res));
    for (let i = 1; i <= 60; i++) {
      assert.deepEqual(await writeFileAtomic(r, "big", contents[i % 2]!), { changed: true });
    }
    await writeFile(stopFile, "");
    await done;
    const result = JSON.parse(out) as { reads: number; bad: number };
    assert.ok(result.reads > 0, "the reader read the file");
    assert.equal(result.bad, 0, `${result.bad} of ${result.reads} reads saw a partial file`);
  });
});
