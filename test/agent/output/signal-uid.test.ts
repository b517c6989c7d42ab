import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { notPermitted, processUid } from "../../../agent/output/signal.ts";
import { readOrEmpty, waitFor } from "./helpers.ts";

/**
 * A signal across uids, with real processes: the tests run as root, so the
 * agent's side (sendSignal) runs in a child with the uid a pod would give
 * the agent, and the app in another child with the app's uid.
 */
const AGENT_DEFAULT = { uid: 100, gid: 1000 };
const APP = { uid: 10001, gid: 1000 };
const SIGNAL_TS = pathToFileURL(
  path.resolve(import.meta.dirname, "../../../agent/output/signal.ts"),
).href;

/**
 * Names unique to this run: a process left by an interrupted earlier run
 * (its app children outlive a killed test runner) must not be the one found.
 * The kernel keeps 15 bytes of a name.
 */
const RUN = String(process.pid).slice(-5);
const OTHER = `vu-other-${RUN}`;
const SAME = `vu-same-${RUN}`;
const MIXED = `vu-mixed-${RUN}`;
const PIDFILE = `vu-pidf-${RUN}`;
const PROC = `vu-proc-${RUN}`;

let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  assert.equal(
    process.getuid?.(),
    0,
    "these tests start processes of other uids, so they run as root",
  );
  dir = await mkdtemp(path.join(tmpdir(), "vaultlet-signal-uid-"));
  await chmod(dir, 0o777);
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
});

/** An app process under its own name and uid that records the signals it gets. */
async function startApp(name: string, ids: { uid: number; gid: number }) {
  const exe = path.join(dir, name);
  await symlink(process.execPath, exe).catch(() => undefined);
  const log = path.join(dir, `${name}-${children.length}.log`);
  const script = `
    const fs = require("node:fs");
    process.on("SIGHUP", () => fs.appendFileSync(process.argv[1], "SIGHUP\\n"));
    fs.appendFileSync(process.argv[1], "ready\\n");
    setInterval(() => {}, 1000);`;
  const child = spawn(exe, ["-e", script, log], { stdio: "ignore", ...ids });
  children.push(child);
  await waitFor(`${name} to start`, async () => (await readOrEmpty(log)).includes("ready"));
  return { pid: child.pid!, log };
}

/** sendSignal(action) in a child running as `ids`: what it returned or threw. */
function sendAs(
  ids: { uid: number; gid: number },
  action: Record<string, string>,
): Promise<{ pids?: number[]; code?: string; message?: string }> {
  const script = `
    const { sendSignal } = await import(${JSON.stringify(SIGNAL_TS)});
    try { console.log(JSON.stringify(await sendSignal(${JSON.stringify(action)}))); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { ...ids, cwd: dir, env: { PATH: process.env.PATH ?? "" } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { pids?: number[]; code?: string; message?: string });
      },
    );
  });
}

describe("signals across uids", () => {
  it("an agent of another uid gets SIGNAL_NOT_PERMITTED naming the process, both uids and the fix", async () => {
    const app = await startApp(OTHER, APP);
    const res = await sendAs(AGENT_DEFAULT, { signal: "SIGHUP", process_name: OTHER });
    assert.equal(res.code, "SIGNAL_NOT_PERMITTED", JSON.stringify(res));
    const m = res.message!;
    assert.ok(m.includes(`process ${app.pid} ("${OTHER}")`), m);
    assert.ok(m.includes("runs as uid 10001 and the agent as uid 100"), m);
    assert.ok(m.includes("run the agent as uid 10001"), m);
    assert.ok(m.includes("securityContext.runAsUser: 10001"), m);
    assert.ok(m.includes('vault.hashicorp.com/agent-run-as-user: "10001"'), m);
    assert.equal(await readOrEmpty(app.log), "ready\n", "the app got nothing");
  });

  it("the agent running as the app's uid signals it, without root or CAP_KILL", async () => {
    const app = await startApp(SAME, APP);
    const res = await sendAs(APP, { signal: "SIGHUP", process_name: SAME });
    assert.deepEqual(res, { pids: [app.pid] });
    await waitFor("SIGHUP", async () => (await readOrEmpty(app.log)).includes("SIGHUP"));
  });

  it("one unreachable process does not keep the others of that name from their signal", async () => {
    const theirs = await startApp(MIXED, APP);
    const ours = await startApp(MIXED, AGENT_DEFAULT);
    const res = await sendAs(AGENT_DEFAULT, { signal: "SIGHUP", process_name: MIXED });
    assert.equal(res.code, "SIGNAL_NOT_PERMITTED");
    assert.ok(res.message!.includes(`process ${theirs.pid} `), res.message);
    await waitFor("SIGHUP", async () => (await readOrEmpty(ours.log)).includes("SIGHUP"));
    assert.equal(await readOrEmpty(theirs.log), "ready\n");
  });

  it("a pid-file target is named by its file", async () => {
    const app = await startApp(PIDFILE, APP);
    const pidFile = path.join(dir, "uid-app.pid");
    await writeFile(pidFile, `${app.pid}\n`, { mode: 0o644 });
    const res = await sendAs(AGENT_DEFAULT, { signal: "SIGHUP", pid_file: pidFile });
    assert.equal(res.code, "SIGNAL_NOT_PERMITTED");
    assert.ok(
      res.message!.includes(`process ${app.pid} (from pid file "${pidFile}")`),
      res.message,
    );
    assert.ok(res.message!.includes("uid 10001"), res.message);
  });

  it("the app's uid is read from /proc; a vanished process reads as unknown", async () => {
    const app = await startApp(PROC, APP);
    assert.equal(await processUid(app.pid), 10001);
    assert.equal(await processUid(2 ** 22 + 1), undefined);
  });

  it("an unknown app uid still gives the agent's uid and the fix, never a command line", () => {
    const m = notPermitted("SIGHUP", 'process 7 ("app")', undefined, 100);
    assert.ok(m.includes("its /proc status is not readable"), m);
    assert.ok(m.includes("the agent as uid 100"), m);
    assert.ok(m.includes("run the agent as the app's uid"), m);
    assert.ok(m.includes("agent-run-as-user"), m);
  });
});
