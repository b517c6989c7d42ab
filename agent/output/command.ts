import { spawn, type StdioOptions } from "node:child_process";
import { VaultletError } from "../../shared/errors.ts";

/** Vault Agent's default for a template's command. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** Time between SIGTERM to the command's process group and SIGKILL, after a timeout. */
export const COMMAND_KILL_GRACE_MS = 2_000;

export interface CommandOptions {
  timeoutMs: number;
  /** the full environment of the command; default: the agent's */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** where the command's output goes; default "inherit" (the agent's own stdout/stderr) */
  stdio?: StdioOptions;
  /** default COMMAND_KILL_GRACE_MS */
  killGraceMs?: number;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/**
 * Runs a template's command from its argv, without a shell, in a process
 * group of its own, so that a timeout ends everything the command started:
 * SIGTERM to the group, then SIGKILL after a grace period. Resolves when the
 * command exits (a non-zero exit is a result, not an error); rejects only
 * when it cannot be started.
 */
export function runCommand(argv: string[], opts: CommandOptions): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) {
    return Promise.reject(
      new VaultletError("COMMAND_INVALID", "command is empty; give at least the program to run"),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: opts.stdio ?? "inherit",
      detached: true,
      shell: false,
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(
        () => killGroup(child.pid, "SIGKILL"),
        opts.killGraceMs ?? COMMAND_KILL_GRACE_MS,
      );
    }, opts.timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      reject(
        new VaultletError("COMMAND_START_FAILED", `cannot run command "${file}": ${code}`, {
          cause: err,
        }),
      );
    });
    // "exit", not "close": a background grandchild holding our pipes must not
    // keep the agent waiting.
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        // The leader is gone; make sure nothing it left in its group survives.
        killGroup(child.pid, "SIGKILL");
      }
      clearTimeout(killTimer);
      resolve({ code, signal, timedOut });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
