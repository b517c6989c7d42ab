import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { constants, tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { createSupervisor, exitCodeOf, type Supervisor } from "../../../agent/exec/index.ts";
import type { ExecStanza } from "../../../shared/agent-config/types.ts";
import { createLogger } from "../../../shared/log.ts";
import { isAlive, waitFor } from "../output/helpers.ts";

let dir: string;
let app: string;
let runs = 0;
const supervisors: Supervisor[] = [];

/**
 * The app: records its environment at start and every signal it gets, one
 * JSON line each; exits 0 on APP_EXIT_ON (default SIGTERM; "none" ignores
 * everything) and exits by itself with APP_EXIT_CODE when set.
 */
const APP = `
const fs = require("node:fs");
const out = process.argv[2];
const rec = (o) => fs.appendFileSync(out, JSON.stringify({ pid: process.pid, ...o }) + "\\n");
const stopOn = process.env.APP_EXIT_ON || "SIGTERM";
for (const s of ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGINT"]) {
  process.on(s, () => { rec({ event: "signal", signal: s }); if (s === stopOn) process.exit(0); });
}
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("VLT_") || k === "BASE"));
rec({ event: "start", env });
if (process.env.APP_EXIT_CODE) process.exit(Number(process.env.APP_EXIT_CODE));
setInterval(() => {}, 1000);
`;

interface Record {
  pid: number;
  event: "start" | "signal";
  env?: { [k: string]: string };
  signal?: string;
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vaultlet-exec-"));
  app = path.join(dir, "app.cjs");
  await writeFile(app, APP);
});
after(async () => {
  for (const s of supervisors) await s.stop("SIGKILL").catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ destination, level: "debug" }), text: () => lines.join("") };
}

async function records(out: string): Promise<Record[]> {
  const text = await readFile(out, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record);
}

async function starts(out: string) {
  return (await records(out)).filter((r) => r.event === "start");
}

function setup(stanza: Partial<ExecStanza>, baseEnv: NodeJS.ProcessEnv = {}) {
  const out = path.join(dir, `run-${runs++}.jsonl`);
  const log = capture();
  const sup = createSupervisor(
    {
      command: [process.execPath, app, out],
      restart_on_secret_changes: "always",
      restart_stop_signal: "SIGTERM",
      restart_kill_grace: 5_000,
      ...stanza,
    },
    log.logger,
    {
      stdio: "ignore",
      baseEnv: { BASE: "from-agent", VLT_A: "agent-value", ...baseEnv },
      requiredEnv: ["VLT_A", "VLT_B"],
    },
  );
  supervisors.push(sup);
  return { sup, out, log };
}

describe("exec supervisor", () => {
  it("refuses to start before every env template has a value", async () => {
    const { sup, out } = setup({});
    await assert.rejects(sup.start({ VLT_A: "only-a" }), (err: Error & { code?: string }) => {
      assert.equal(err.code, "EXEC_ENV_INCOMPLETE");
      assert.match(err.message, /VLT_B/);
      assert.doesNotMatch(err.message, /only-a/);
      return true;
    });
    assert.equal(sup.pid, undefined);
    assert.deepEqual(await records(out), []);
  });

  it("starts the app with the values merged over the agent's environment", async () => {
    const { sup, out } = setup({});
    await sup.start({ VLT_A: "s3cret-a1", VLT_B: "s3cret-b1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    const [first] = await starts(out);
    assert.deepEqual(first!.env, { BASE: "from-agent", VLT_A: "s3cret-a1", VLT_B: "s3cret-b1" });
    assert.equal(first!.pid, sup.pid);
  });

  it("does nothing when the values did not change", async () => {
    const { sup, out } = setup({});
    await sup.start({ VLT_A: "a", VLT_B: "b" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    assert.equal(await sup.update({ VLT_A: "a", VLT_B: "b" }), "unchanged");
    assert.equal((await records(out)).length, 1);
  });

  it("restarts the app with the new values, stopping the old one with the stop signal", async () => {
    const { sup, out, log } = setup({ restart_stop_signal: "SIGUSR2" }, { APP_EXIT_ON: "SIGUSR2" });
    await sup.start({ VLT_A: "s3cret-a1", VLT_B: "s3cret-b1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    const oldPid = sup.pid!;
    assert.equal(await sup.update({ VLT_A: "s3cret-a2", VLT_B: "s3cret-b1" }), "restarted");
    await waitFor("second start", async () => (await starts(out)).length === 2);
    const all = await records(out);
    assert.deepEqual(
      all.filter((r) => r.pid === oldPid).map((r) => r.signal ?? r.event),
      ["start", "SIGUSR2"],
    );
    const second = all.find((r) => r.event === "start" && r.pid !== oldPid)!;
    assert.equal(second.pid, sup.pid);
    assert.deepEqual(second.env, { BASE: "from-agent", VLT_A: "s3cret-a2", VLT_B: "s3cret-b1" });
    assert.ok(!(await isAlive(oldPid)));
    assert.match(log.text(), /VLT_A/);
    assert.doesNotMatch(log.text(), /s3cret/);
  });

  it("kills an app that ignores the stop signal after restart_kill_grace", async () => {
    const { sup, out } = setup({ restart_kill_grace: 200 }, { APP_EXIT_ON: "none" });
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    const oldPid = sup.pid!;
    assert.equal(await sup.update({ VLT_A: "2", VLT_B: "1" }), "restarted");
    assert.ok(!(await isAlive(oldPid)));
    await waitFor("second start", async () => (await starts(out)).length === 2);
    const signals = (await records(out)).filter((r) => r.pid === oldPid && r.event === "signal");
    assert.deepEqual(
      signals.map((r) => r.signal),
      ["SIGTERM"],
    );
  });

  it("sends change_signal instead of restarting", async () => {
    const { sup, out } = setup({ change_signal: "SIGHUP" });
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    const pid = sup.pid;
    assert.equal(await sup.update({ VLT_A: "1", VLT_B: "2" }), "signalled");
    await waitFor("SIGHUP", async () => (await records(out)).some((r) => r.signal === "SIGHUP"));
    assert.equal(sup.pid, pid);
    assert.equal((await starts(out)).length, 1);
  });

  it("leaves the app alone when restart_on_secret_changes is never", async () => {
    const { sup, out } = setup({ restart_on_secret_changes: "never" });
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    assert.equal(await sup.update({ VLT_A: "9", VLT_B: "9" }), "ignored");
    assert.equal((await records(out)).length, 1);
  });

  it("serialises updates that arrive together", async () => {
    const { sup, out } = setup({});
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    const outcomes = await Promise.all([
      sup.update({ VLT_A: "2", VLT_B: "1" }),
      sup.update({ VLT_A: "3", VLT_B: "1" }),
    ]);
    assert.deepEqual(outcomes, ["restarted", "restarted"]);
    // The middle app may be stopped before it got to record its start.
    await waitFor("the last app's start", async () =>
      (await starts(out)).some((r) => r.pid === sup.pid && r.env!.VLT_A === "3"),
    );
    assert.ok(await isAlive(sup.pid!));
  });

  it("resolves exited with the app's own exit code", async () => {
    const { sup } = setup({}, { APP_EXIT_CODE: "7" });
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    const result = await sup.exited;
    assert.deepEqual(result, { code: 7, signal: null });
    assert.equal(exitCodeOf(result), 7);
    await assert.rejects(sup.update({ VLT_A: "2", VLT_B: "1" }), { code: "EXEC_NOT_RUNNING" });
  });

  it("maps death by signal to 128 + the signal's number", async () => {
    const { sup, out } = setup({});
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    process.kill(sup.pid!, "SIGKILL");
    const result = await sup.exited;
    assert.deepEqual(result, { code: null, signal: "SIGKILL" });
    assert.equal(exitCodeOf(result), 128 + constants.signals.SIGKILL);
  });

  it("passes the agent's signals on and ends with the app on SIGTERM", async () => {
    const { sup, out } = setup({});
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    const stopForwarding = sup.forwardSignals(["SIGHUP", "SIGUSR1", "SIGTERM"]);
    try {
      process.kill(process.pid, "SIGHUP");
      process.kill(process.pid, "SIGUSR1");
      await waitFor("forwarded signals", async () => {
        const got = (await records(out)).map((r) => r.signal);
        return got.includes("SIGHUP") && got.includes("SIGUSR1");
      });
      process.kill(process.pid, "SIGTERM");
      assert.deepEqual(await sup.exited, { code: 0, signal: null });
      assert.ok((await records(out)).some((r) => r.signal === "SIGTERM"));
    } finally {
      stopForwarding();
    }
  });

  it("stop() during a restart does not start the app again", async () => {
    const { sup, out } = setup({ restart_kill_grace: 300 }, { APP_EXIT_ON: "none" });
    await sup.start({ VLT_A: "1", VLT_B: "1" });
    await waitFor("app start", async () => (await starts(out)).length === 1);
    const restart = sup.update({ VLT_A: "2", VLT_B: "1" });
    await waitFor("the restart's stop signal", async () =>
      (await records(out)).some((r) => r.signal === "SIGTERM"),
    );
    const result = await sup.stop();
    assert.equal(await restart, "restarted");
    assert.equal(result.signal, "SIGKILL");
    assert.equal((await starts(out)).length, 1);
  });

  it("reports a command that cannot start and exits 127", async () => {
    const log = capture();
    const sup = createSupervisor(
      {
        command: [path.join(dir, "no-such-app")],
        restart_on_secret_changes: "always",
        restart_stop_signal: "SIGTERM",
      },
      log.logger,
      { stdio: "ignore" },
    );
    await assert.rejects(sup.start({ VLT_A: "x" }), { code: "EXEC_START_FAILED" });
    assert.equal(exitCodeOf(await sup.exited), 127);
  });

  it("rejects an empty command and unknown signals up front", () => {
    const { logger } = capture();
    const base: ExecStanza = {
      command: ["x"],
      restart_on_secret_changes: "always",
      restart_stop_signal: "SIGTERM",
    };
    assert.throws(() => createSupervisor({ ...base, command: [] }, logger), {
      code: "EXEC_INVALID",
    });
    assert.throws(() => createSupervisor({ ...base, change_signal: "SIGWHAT" }, logger), {
      code: "SIGNAL_INVALID",
    });
  });
});
