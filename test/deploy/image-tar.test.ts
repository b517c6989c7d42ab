/**
 * The image builder's pure parts: reproducible tar archives from a layout,
 * and the library list read from `ldd`.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { completeTree, tarArchive, type TarEntry } from "../../deploy/images/tar.ts";
import { parseLdd } from "../../deploy/images/host-inputs.ts";
import { makeTempDir } from "../support/processes.ts";

const ENTRIES: TarEntry[] = [
  { type: "symlink", path: "/usr/local/bin/vaultlet", target: "/app/main.mjs" },
  { type: "file", path: "/app/main.mjs", mode: 0o755, data: Buffer.from("#!/nodejs/bin/node\n") },
  { type: "directory", path: "/home/nonroot", mode: 0o700, uid: 65532, gid: 65532 },
  { type: "file", path: "/etc/passwd", mode: 0o644, data: Buffer.from("root:x:0:0::/:/x\n") },
];

describe("tar archives from a layout", () => {
  test("parents are added, entries sorted, so the order the layout lists them in does not matter", async () => {
    assert.deepEqual(
      completeTree(ENTRIES).map((e) => e.path),
      [
        "/app",
        "/app/main.mjs",
        "/etc",
        "/etc/passwd",
        "/home",
        "/home/nonroot",
        "/usr",
        "/usr/local",
        "/usr/local/bin",
        "/usr/local/bin/vaultlet",
      ],
    );
    const a = await tarArchive(ENTRIES);
    const b = await tarArchive([...ENTRIES].reverse());
    assert.ok(a.equals(b));
  });

  test("GNU tar reads back the modes, numeric owners, symlinks and the fixed mtime", async () => {
    const dir = makeTempDir("vaultlet-tar-");
    const root = join(dir, "root");
    mkdirSync(root);
    const tar = await tarArchive(ENTRIES);
    const listing = execFileSync("tar", ["-tvf", "-", "--numeric-owner", "--full-time"], {
      input: tar,
      env: { TZ: "UTC" },
    }).toString("utf8");
    for (const line of listing.trim().split("\n")) {
      assert.match(line, / 1970-01-01 00:00:00 /, line);
      assert.match(line.split(/\s+/)[1]!, /^\d+\/\d+$/, `numeric owners only: ${line}`);
    }
    assert.match(listing, /^drwx------ 65532\/65532 .* home\/nonroot\/?$/m);
    execFileSync("tar", ["-x", "-C", root, "--numeric-owner", "--same-permissions"], {
      input: tar,
    });
    assert.equal(statSync(join(root, "app/main.mjs")).mode & 0o777, 0o755);
    assert.equal(readFileSync(join(root, "etc/passwd"), "utf8"), "root:x:0:0::/:/x\n");
    assert.equal(readlinkSync(join(root, "usr/local/bin/vaultlet")), "/app/main.mjs");
    assert.equal(statSync(join(root, "home/nonroot")).uid, 65532);
  });

  test("a path declared twice, or outside the root, is an IMAGE_LAYOUT error naming it", () => {
    assert.throws(
      () => completeTree([...ENTRIES, { type: "directory", path: "/etc/passwd", mode: 0o755 }]),
      { code: "IMAGE_LAYOUT", message: /"\/etc\/passwd" is declared twice/ },
    );
    assert.throws(() => completeTree([{ type: "directory", path: "/", mode: 0o755 }]), {
      code: "IMAGE_LAYOUT",
      message: /must name a file below \//,
    });
  });
});

describe("ldd output", () => {
  test("the libraries and the loader, at the paths the loader looks for, without the vDSO", () => {
    const out = [
      "\tlinux-vdso.so.1 (0x00007ffd5a5f0000)",
      "\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f7d71214000)",
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f7d70e00000)",
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f7d70c1e000)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f7d7122c000)",
    ].join("\n");
    assert.deepEqual(parseLdd(out), [
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/lib/x86_64-linux-gnu/libdl.so.2",
      "/lib/x86_64-linux-gnu/libstdc++.so.6",
      "/lib64/ld-linux-x86-64.so.2",
    ]);
  });

  test("a library ldd cannot find is an IMAGE_INPUT error naming it", () => {
    assert.throws(() => parseLdd("\tlibfoo.so.1 => not found\n"), {
      code: "IMAGE_INPUT",
      message: /libfoo\.so\.1 => not found/,
    });
  });
});
