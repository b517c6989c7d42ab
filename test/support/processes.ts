/**
 * Child processes for the test servers (OpenBao, PostgreSQL) that never
 * outlive the test process.
 *
 * Usage:
 *   const child = spawnTracked("/path/bin", ["arg"], { env, cwd });
 *   await child.stop();                 // SIGTERM, then SIGKILL after a grace period
 *   const port = await freePort();      // a loopback port that was free a moment ago
 *
 * Three layers keep a failed or killed test from leaving a server behind:
 * servers stop in order (`teardownAtEnd`, or a test's `t.after`) when the
 * test file is done; every tracked child is killed on this process's `exit`,
 * SIGINT and SIGTERM; and children run under `setpriv --pdeathsig KILL`, so
 * the kernel kills them even if this process is itself SIGKILLed (setpriv
 * execs the target, so the pid is the server's own).
 *
 * Server processes and listeners are unref'd: they never keep the test
 * process alive by themselves, so "the file is done" is Node's `beforeExit`.
 * (node:test's `after()` is not used by default: called inside a `before`
 * hook it would stop the server as soon as that hook ends.)
 */
import { spawn, execFileSync } from "node:child_process";
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));
const STOP_GRACE_MS = 5000;
const OUTPUT_KEEP_CHARS = 64 * 1024;

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let handlersInstalled = false;

function killAllNow(): void {
  for (const child of live) {
    try {
      if (child.pid) process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

const stoppers = new Set<() => Promise<void>>();
let beforeExitInstalled = false;

/**
 * Run `stop` when the test process has nothing left to do (all tests done),
 * before it exits. Use for servers started without a TestContext.
 */
export function teardownAtEnd(stop: () => Promise<void>): void {
  installExitHandlers();
  stoppers.add(stop);
  if (beforeExitInstalled) return;
  beforeExitInstalled = true;
  process.on("beforeExit", () => {
    if (stoppers.size === 0) return;
    const pending = [...stoppers];
    stoppers.clear();
    // Scheduling work here keeps the process alive until the stops finish;
    // beforeExit fires again afterwards with nothing left to stop.
    void Promise.allSettled(pending.map((stop) => stop()));
  });
}

/** Tie a server's stop to a test (`t.after`) or to the end of the test file. */
export function registerTeardown(
  stop: () => Promise<void>,
  options: { t?: { after(fn: () => unknown): void }; autoTeardown?: boolean },
): void {
  if (options.t) options.t.after(stop);
  else if (options.autoTeardown !== false) teardownAtEnd(stop);
}

/** A fresh temporary directory, removed on exit or signal if the caller has not removed it. */
export function makeTempDir(prefix: string): string {
  installExitHandlers();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Remove a directory made by makeTempDir. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", killAllNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // A listener replaces Node's default exit-on-signal: kill the children,
    // then die of the same signal so the parent sees the usual status.
    process.once(signal, () => {
      killAllNow();
      process.kill(process.pid, signal);
    });
  }
}

export interface TrackedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far (the last 64 KiB), for error messages and parsing */
  output(): string;
  /** resolves when the process has exited (immediately if it already has) */
  exited(): Promise<void>;
  readonly hasExited: boolean;
  /** SIGCONT (in case it is frozen), the signal, then SIGKILL after a grace period */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnTrackedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/** Spawn a server process that is killed when the test process ends, whatever the cause. */
export function spawnTracked(
  file: string,
  args: string[],
  options: SpawnTrackedOptions = {},
): TrackedProcess {
  installExitHandlers();
  const [cmd, argv] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "KILL", "--", file, ...args]]
    : [file, args];
  const spawnOptions: SpawnOptions = {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  };
  if (options.uid !== undefined) spawnOptions.uid = options.uid;
  if (options.gid !== undefined) spawnOptions.gid = options.gid;
  const child = spawn(cmd, argv, spawnOptions);
  if (child.pid === undefined) {
    throw new Error(`cannot start ${file}: spawn failed (is the path right and executable?)`);
  }
  live.add(child);
  child.unref();
  let out = "";
  const keep = (chunk: Buffer) => {
    out += chunk.toString("utf8");
    if (out.length > OUTPUT_KEEP_CHARS) out = out.slice(-OUTPUT_KEEP_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  unrefStream(child.stdout);
  unrefStream(child.stderr);
  let exitedFlag = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exitedFlag = true;
      live.delete(child);
      resolve();
    });
    child.once("error", () => {
      exitedFlag = true;
      live.delete(child);
      resolve();
    });
  });
  const pid = child.pid;
  return {
    child,
    pid,
    output: () => out,
    exited: () => exitPromise,
    get hasExited() {
      return exitedFlag;
    },
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (exitedFlag) return;
      signalQuietly(pid, "SIGCONT");
      signalQuietly(pid, signal);
      const timer = setTimeout(() => signalQuietly(pid, "SIGKILL"), STOP_GRACE_MS);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // the process is gone already
  }
}

/** A loopback TCP port that was free when asked (callers retry on EADDRINUSE). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Thrown from a waitUntil check to stop waiting at once (e.g. the server process died). */
export class GiveUp extends Error {}

/**
 * Poll `check` until it returns a value other than undefined, or fail after
 * `timeoutMs`. Errors from `check` count as "not yet", except GiveUp.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** uid and gid of a system user (for running PostgreSQL as non-root). */
export function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
  return { uid, gid };
}
