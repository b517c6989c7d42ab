import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";

/** What a shell reports for a program it cannot start. */
export const EXIT_CANNOT_START = 127;

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One run of the app: the child process and how it ends. */
export interface Running {
  child: ChildProcess;
  exit: Promise<ExitResult>;
}

export interface LaunchOptions {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  stdio: StdioOptions;
  logger: Logger;
}

/**
 * Starts the app in its own process group (so SIGKILL also reaches what it
 * started). `running` is known at once; `started` settles when it runs, or
 * rejects with EXEC_START_FAILED.
 */
export function launchChild(opts: LaunchOptions): { running: Running; started: Promise<void> } {
  const { file, logger } = opts;
  const child = spawn(file, opts.args, { env: opts.env, stdio: opts.stdio, detached: true });
  const exit = new Promise<ExitResult>((res) => {
    child.once("exit", (code, signal) => res({ code, signal }));
    child.once("error", () => res({ code: EXIT_CANNOT_START, signal: null }));
  });
  const started = new Promise<void>((res, rej) => {
    child.once("spawn", () => {
      logger.info({ pid: child.pid, command: file }, "app started");
      res();
    });
    child.once("error", (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      rej(
        new VaultletError("EXEC_START_FAILED", `cannot start exec command "${file}": ${code}`, {
          cause: err,
        }),
      );
    });
  });
  return { running: { child, exit }, started };
}

/** Sends `signal`, then SIGKILL to the whole group after `graceMs`; resolves with how it ended. */
export async function endChild(
  running: Running,
  signal: NodeJS.Signals,
  graceMs: number,
  logger: Logger,
): Promise<ExitResult> {
  const pid = running.child.pid;
  if (pid === undefined) return running.exit;
  if (running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill(signal);
  }
  const timer = setTimeout(() => {
    logger.warn({ pid, graceMs }, "app did not stop in time; sending SIGKILL");
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, graceMs);
  const result = await running.exit;
  clearTimeout(timer);
  return result;
}
