/**
 * Cost of the agent's output edge per call: writeFileAtomic when the bytes
 * are unchanged (read and compare only) and when they change (temp file,
 * fsync, rename), on tmpfs (/dev/shm, like the pod's in-memory volume) and
 * on the temp directory; a process lookup by name in /proc (the signal
 * action); and starting a command without a shell.
 *
 *   node test/bench/output-write.ts [iterations]
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { findProcessesByName, runCommand, writeFileAtomic } from "../../agent/output/index.ts";

const iterations = Number(process.argv[2] ?? "2000");

async function timeIt(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(50, n); i++) await fn(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const us = ((performance.now() - start) * 1000) / n;
  console.log(`${label.padEnd(52)} ${us.toFixed(1).padStart(9)} µs/op`);
}

const places = [
  ["tmpfs", "/dev/shm"],
  ["tmpdir", tmpdir()],
].filter(([, p]) => existsSync(p!));
for (const [name, base] of places) {
  const root = await mkdtemp(path.join(base!, "vaultlet-bench-"));
  try {
    for (const size of [1024, 64 * 1024]) {
      const a = Buffer.alloc(size, "a");
      const b = Buffer.alloc(size, "b");
      await writeFileAtomic(root, "same", a);
      await timeIt(`${name}: unchanged ${size / 1024} KiB (compare only)`, iterations, () =>
        writeFileAtomic(root, "same", a),
      );
      await timeIt(`${name}: changed ${size / 1024} KiB (temp+fsync+rename)`, iterations, (i) =>
        writeFileAtomic(root, "changing", i % 2 ? a : b),
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
await timeIt("find a process by name in /proc", Math.min(iterations, 500), () =>
  findProcessesByName("vaultlet-bench-none"),
);
await timeIt("run a command without a shell (/bin/true)", Math.min(iterations, 200), () =>
  runCommand(["/bin/true"], { timeoutMs: 5000 }),
);
