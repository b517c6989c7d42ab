import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { findProcessesByName, parseSignal, sendSignal } from "../../../agent/output/index.ts";
import { processMatches } from "../../../agent/output/signal.ts";
import { readOrEmpty, waitFor } from "./helpers.ts";

let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vaultlet-signal-"));
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts a real process under its own name (a symlink to node, as an app
 * binary would be) that records every SIGHUP and SIGUSR1 it receives.
 */
async function startApp(name: string): Promise<{ pid: number; log: string }> {
  const exe = path.join(dir, name);
  await symlink(process.execPath, exe).catch(() => undefined);
  const log = path.join(dir, `${name}-${children.length}.log`);
  const script = `
    const fs = require("node:fs");
    for (const s of ["SIGHUP", "SIGUSR1"]) process.on(s, () => fs.appendFileSync(process.argv[1], s + "\\n"));
    fs.appendFileSync(process.argv[1], "ready\\n");
    setInterval(() => {}, 1000);`;
  const child = spawn(exe, ["-e", script, log], { stdio: "ignore" });
  children.push(child);
  await waitFor(`${name} to start`, async () => (await readOrEmpty(log)).includes("ready"));
  return { pid: child.pid!, log };
}

describe("sendSignal", () => {
  it("finds a process by name in /proc and signals it", async () => {
    const app = await startApp("vlt-app-short");
    const { pids } = await sendSignal({ signal: "SIGHUP", process_name: "vlt-app-short" });
    assert.deepEqual(pids, [app.pid]);
    await waitFor("SIGHUP", async () => (await readOrEmpty(app.log)).includes("SIGHUP"));
  });

  it("matches names longer than the kernel's 15-byte comm", async () => {
    const app = await startApp("vaultlet-reload-target-app");
    const { pids } = await sendSignal({
      signal: "USR1",
      process_name: "vaultlet-reload-target-app",
    });
    assert.deepEqual(pids, [app.pid]);
    await waitFor("SIGUSR1", async () => (await readOrEmpty(app.log)).includes("SIGUSR1"));
  });

  it("signals every process with the name", async () => {
    const a = await startApp("vlt-app-twice");
    const b = await startApp("vlt-app-twice");
    const { pids } = await sendSignal({ signal: "hup", process_name: "vlt-app-twice" });
    assert.deepEqual(
      pids,
      [a.pid, b.pid].sort((x, y) => x - y),
    );
    for (const app of [a, b]) {
      await waitFor("SIGHUP", async () => (await readOrEmpty(app.log)).includes("SIGHUP"));
    }
  });

  it("signals the process named in a pid file", async () => {
    const app = await startApp("vlt-app-pidfile");
    const pidFile = path.join(dir, "app.pid");
    await writeFile(pidFile, `${app.pid}\n`);
    assert.deepEqual(await sendSignal({ signal: "SIGHUP", pid_file: pidFile }), {
      pids: [app.pid],
    });
    await waitFor("SIGHUP", async () => (await readOrEmpty(app.log)).includes("SIGHUP"));
  });

  it("never signals the agent itself", async () => {
    const own = path.basename(process.argv0);
    assert.ok(!(await findProcessesByName(own)).includes(process.pid));
    const pidFile = path.join(dir, "self.pid");
    await writeFile(pidFile, String(process.pid));
    await assert.rejects(sendSignal({ signal: "SIGHUP", pid_file: pidFile }), {
      code: "SIGNAL_PID_FILE_INVALID",
    });
  });

  it("says clearly when nothing matches", async () => {
    await assert.rejects(
      sendSignal({ signal: "SIGHUP", process_name: "vlt-no-such-app" }),
      (err: Error & { code?: string }) =>
        err.code === "SIGNAL_NO_PROCESS" &&
        err.message.includes("vlt-no-such-app") &&
        err.message.includes("shareProcessNamespace"),
    );
  });

  it("reports a pid file whose process is gone, or that holds no pid", async () => {
    const dead = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((res) => dead.once("exit", res));
    const stale = path.join(dir, "stale.pid");
    await writeFile(stale, String(dead.pid));
    await assert.rejects(sendSignal({ signal: "SIGHUP", pid_file: stale }), {
      code: "SIGNAL_NO_PROCESS",
    });
    const junk = path.join(dir, "junk.pid");
    await writeFile(junk, "12abc");
    await assert.rejects(sendSignal({ signal: "SIGHUP", pid_file: junk }), {
      code: "SIGNAL_PID_FILE_INVALID",
    });
    await assert.rejects(sendSignal({ signal: "SIGHUP", pid_file: path.join(dir, "none") }), {
      code: "SIGNAL_PID_FILE_INVALID",
    });
  });

  it("rejects unknown signals and actions without a target", async () => {
    await assert.rejects(sendSignal({ signal: "SIGNOPE", process_name: "x" }), {
      code: "SIGNAL_INVALID",
    });
    await assert.rejects(sendSignal({ signal: "SIGHUP" }), { code: "SIGNAL_NO_TARGET" });
  });

  it("leaves the app's log free of anything but the signals sent", async () => {
    const app = await startApp("vlt-app-count");
    await sendSignal({ signal: "SIGHUP", process_name: "vlt-app-count" });
    await waitFor("SIGHUP", async () => (await readOrEmpty(app.log)).includes("SIGHUP"));
    assert.equal(await readFile(app.log, "utf8"), "ready\nSIGHUP\n");
  });
});

describe("parseSignal", () => {
  it("accepts full, short and lower-case names", () => {
    assert.equal(parseSignal("SIGHUP"), "SIGHUP");
    assert.equal(parseSignal("hup"), "SIGHUP");
    assert.equal(parseSignal(" USR2 "), "SIGUSR2");
  });
});

describe("processMatches", () => {
  const table: [string, { comm: string; argv: string[] }, string, boolean][] = [
    ["comm", { comm: "nginx", argv: ["nginx: master process"] }, "nginx", true],
    ["argv[0] path", { comm: "MainThread", argv: ["/usr/bin/myapp", "-x"] }, "myapp", true],
    ["other name", { comm: "nginx", argv: ["/usr/sbin/nginx"] }, "apache2", false],
    ["kernel thread", { comm: "kworker", argv: [] }, "kworker", false],
    [
      "long name cut in comm",
      { comm: "vaultlet-reload", argv: ["/app/vaultlet-reload-target"] },
      "vaultlet-reload-target",
      true,
    ],
    [
      "long name, other program",
      { comm: "vaultlet-reload", argv: ["/app/vaultlet-reloader"] },
      "vaultlet-reload-target",
      false,
    ],
    ["substring is not a match", { comm: "myapp2", argv: ["/bin/myapp2"] }, "myapp", false],
  ];
  for (const [title, names, name, expected] of table) {
    it(title, () => assert.equal(processMatches(names, name), expected));
  }
});
