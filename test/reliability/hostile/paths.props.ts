import assert from "node:assert/strict";
import { lstat, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "../../support/properties.ts";
import { writeFileAtomic } from "../../../agent/output/index.ts";
import { VaultletError } from "../../../shared/errors.ts";
import {
  assertConfined,
  assertTokenOnlyInAgents,
  injectAndApply,
  PREFIX,
  podWith,
  templateDestinations,
} from "./pods.ts";

/** Property bodies run in a worker by paths.test.ts. */

const hostileSegment = fc.oneof(
  fc.constantFrom(
    "..",
    ".",
    "",
    "...",
    "\0",
    "a\0b",
    "~",
    "$HOME",
    "\\",
    "..\\..",
    "%2e%2e",
    "\u2025",
    "\uff0e\uff0e",
    "é",
    "🔑",
    " ",
  ),
  fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
  fc.constant("n".repeat(300)),
);

/** Relative and absolute paths built from hostile segments. */
export const hostilePath = fc
  .tuple(
    fc.boolean(),
    fc.array(hostileSegment, { minLength: 1, maxLength: 6 }),
    fc.constantFrom("/", "\\", "//"),
  )
  .map(([abs, segs, sep]) => (abs ? "/" : "") + segs.join(sep));

const secretName = fc.oneof(
  hostileSegment,
  hostilePath,
  fc.string({ unit: "binary", minLength: 1, maxLength: 30 }),
  fc.constant("x".repeat(10_000)),
);

/** Every template destination stays strictly below a secrets volume mounted in that agent. */
export function secretNamesAndFilesStayInTheirVolume(): void {
  fc.assert(
    fc.property(
      fc.array(
        fc.record(
          { name: secretName, file: fc.option(hostilePath), mount: fc.option(hostilePath) },
          { requiredKeys: ["name"] },
        ),
        { minLength: 1, maxLength: 4 },
      ),
      fc.option(hostilePath),
      fc.boolean(),
      (secrets, globalMount, template) => {
        const a: Record<string, string> = {};
        for (const s of secrets) {
          a[`${PREFIX}agent-inject-${template ? "template" : "secret"}-${s.name}`] = template
            ? '{{ with secret "kv/app" }}{{ .Data.x }}{{ end }}'
            : "kv/app";
          if (s.file !== null && s.file !== undefined)
            a[`${PREFIX}agent-inject-file-${s.name}`] = s.file;
          if (s.mount !== null && s.mount !== undefined)
            a[`${PREFIX}secret-volume-path-${s.name}`] = s.mount;
        }
        if (globalMount !== null) a[`${PREFIX}secret-volume-path`] = globalMount;
        const r = injectAndApply(podWith(a));
        if (r.kind === "reject") {
          assert.ok(r.message.includes(PREFIX) || r.message.includes("secret"), r.message);
          return;
        }
        if (r.kind !== "patch" || !r.pod) return;
        assertTokenOnlyInAgents(r.pod);
        const views = templateDestinations(r.pod);
        assert.ok(views.length > 0, "a patched pod with secrets has templates");
        for (const v of views) assertConfined(v);
      },
    ),
    { numRuns: 500 },
  );
}

/** Lists every path under `dir` (no symlink following). */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await tree(p)));
  }
  return out.sort();
}

/**
 * writeFileAtomic with hostile destinations (relative, absolute, climbing,
 * through a symlink that leads out): it writes inside the root or throws a
 * VaultletError; nothing ever appears outside the root.
 */
export async function writeFileAtomicNeverLeavesRoot(): Promise<void> {
  const sandbox = await realpath(await mkdtemp(path.join(tmpdir(), "vaultlet-hostile-paths-")));
  const outside = path.join(sandbox, "outside");
  const root = path.join(sandbox, "root");
  try {
    await mkdir(outside);
    await writeFile(path.join(outside, "keep"), "untouched");
    const before = await tree(outside);
    const destination = fc.oneof(
      hostilePath,
      hostilePath.map((p) => path.join(root, p)),
      hostilePath.map((p) => `link/${p}`),
      fc.constantFrom(
        "link/x",
        "link",
        "../outside/x",
        `${outside}/x`,
        `${root}/../outside/x`,
        "dir/../../outside/x",
      ),
    );
    await fc.assert(
      fc.asyncProperty(destination, fc.boolean(), async (dest, createDirs) => {
        await rm(root, { recursive: true, force: true });
        await mkdir(path.join(root, "dir"), { recursive: true });
        await symlink(outside, path.join(root, "link"));
        try {
          await writeFileAtomic(root, dest, "secret-bytes", { createDirs });
        } catch (err) {
          assert.ok(err instanceof VaultletError, `not a VaultletError: ${String(err)}`);
          assert.ok(
            !String((err as Error).message).includes("secret-bytes"),
            "bytes in the message",
          );
        }
        assert.deepEqual(
          await tree(outside),
          before,
          `${JSON.stringify(dest)} wrote outside the root`,
        );
        for (const p of await tree(root)) {
          const st = await lstat(p);
          if (st.isFile()) assert.ok((await realpath(p)).startsWith(root + path.sep), p);
        }
      }),
      { numRuns: 150 },
    );
  } finally {
    await rm(sandbox, { recursive: true, force: true });
  }
}
