import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runCommand } from "../../../agent/output/index.ts";
import { isAlive, readOrEmpty, waitFor } from "./helpers.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vaultlet-command-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const node = process.execPath;

describe("runCommand", () => {
  it("returns the exit code of a command that fails", async () => {
    const result = await runCommand([node, "-e", "process.exit(3)"], { timeoutMs: 30_000 });
    assert.deepEqual(result, { code: 3, signal: null, timedOut: false });
  });

  it("passes arguments without a shell, with the given env and cwd", async () => {
    const out = path.join(dir, "args.json");
    const script = `require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify({ args: process.argv.slice(1), v: process.env.VLT_X, cwd: process.cwd() }))`;
    const result = await runCommand([node, "-e", script, "$HOME", "a b;c", "`id`"], {
      timeoutMs: 30_000,
      env: { VLT_X: "42", PATH: process.env.PATH },
      cwd: dir,
    });
    assert.equal(result.code, 0);
    const seen = JSON.parse(await readFile(out, "utf8"));
    assert.deepEqual(seen, { args: ["$HOME", "a b;c", "`id`"], v: "42", cwd: dir });
  });

  it("kills the whole process tree when the command times out", async () => {
    const pidFile = path.join(dir, "grandchild.pid");
    // The command ignores SIGTERM and leaves a grandchild behind that ignores
    // it too. The timeout starts at spawn, so the command must ignore SIGTERM
    // from its first instruction: a shell's trap does (a Node app's handler
    // comes only after Node has started, which a loaded machine can delay past
    // the timeout), and the grandchild inherits the ignored signal.
    const script = `trap "" TERM; sleep 600 & echo $! > ${JSON.stringify(pidFile)}; wait`;
    const running = runCommand(["/bin/sh", "-c", script], { timeoutMs: 500, killGraceMs: 200 });
    await waitFor("grandchild pid", async () => (await readOrEmpty(pidFile)).endsWith("\n"));
    const grandchild = Number(await readFile(pidFile, "utf8"));
    assert.ok(await isAlive(grandchild));
    const result = await running;
    assert.equal(result.timedOut, true);
    assert.equal(result.signal, "SIGKILL");
    assert.equal(result.code, null);
    await waitFor("grandchild to die", async () => !(await isAlive(grandchild)));
  });

  it("ends with SIGTERM a command that obeys it", async () => {
    const result = await runCommand([node, "-e", "setInterval(() => {}, 1000)"], {
      timeoutMs: 300,
    });
    assert.deepEqual(result, { code: null, signal: "SIGTERM", timedOut: true });
  });

  it("rejects with a clear error when the program does not exist", async () => {
    await assert.rejects(
      runCommand(["/nonexistent/vaultlet-reload"], { timeoutMs: 1000 }),
      (err: Error & { code?: string }) =>
        err.code === "COMMAND_START_FAILED" && err.message.includes("/nonexistent/vaultlet-reload"),
    );
  });

  it("rejects an empty command", async () => {
    await assert.rejects(runCommand([], { timeoutMs: 1000 }), { code: "COMMAND_INVALID" });
  });
});
