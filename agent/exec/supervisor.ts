import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { constants } from "node:os";
import { VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { ExecStanza } from "../../shared/agent-config/types.ts";
import { parseSignal } from "../../shared/signal.ts";
import { envChanges, mergeEnv, type EnvValues } from "./env.ts";

/** Time between the stop signal and SIGKILL when exec sets no restart_kill_grace. */
export const DEFAULT_KILL_GRACE_MS = 30_000;
/** The agent's own signals that are passed on to the app. */
export const FORWARDED_SIGNALS: NodeJS.Signals[] = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
];
/** Forwarded signals that also end supervision: the app is stopped for good. */
const TERMINATING: ReadonlySet<string> = new Set(["SIGTERM", "SIGINT", "SIGQUIT"]);
/** What a shell reports for a program it cannot start. */
const EXIT_CANNOT_START = 127;

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What update() did about new values. */
export type UpdateOutcome = "unchanged" | "restarted" | "signalled" | "ignored";

export interface SupervisorOptions {
  /** names every start needs (the env_template names): start refuses without them */
  requiredEnv?: string[];
  /** environment the values are merged over; default the agent's own */
  baseEnv?: NodeJS.ProcessEnv;
  /** default "inherit": the app writes to the container's log */
  stdio?: StdioOptions;
}

export interface Supervisor {
  /** Starts the app with these values in its environment; resolves once it runs. */
  start(env: EnvValues): Promise<void>;
  /** New values: restart the app, signal it (change_signal), or nothing. Serialised. */
  update(env: EnvValues): Promise<UpdateOutcome>;
  /** Sends a signal to the running app. */
  signal(signal: string): void;
  /** Stops the app for good (signal, grace, SIGKILL); resolves with how it ended. */
  stop(signal?: string): Promise<ExitResult>;
  /** Passes the agent's own signals on; returns the function that stops doing so. */
  forwardSignals(signals?: NodeJS.Signals[]): () => void;
  /** Settles when the app ends on its own or after stop(), never on a restart. */
  readonly exited: Promise<ExitResult>;
  readonly pid: number | undefined;
}

interface Running {
  child: ChildProcess;
  exit: Promise<ExitResult>;
}

/**
 * The agent as a process supervisor (`exec` + `env_template`): the app runs
 * as the agent's child with secrets in its environment, so no secret sits in
 * the pod spec. Values are never logged; only variable names are.
 */
export function createSupervisor(
  stanza: ExecStanza,
  logger: Logger,
  opts: SupervisorOptions = {},
): Supervisor {
  const [file, ...args] = stanza.command;
  if (!file) {
    throw new VaultletError("EXEC_INVALID", "exec.command is empty; give the app's command");
  }
  const stopSignal = parseSignal(stanza.restart_stop_signal || "SIGTERM");
  const changeSignal = stanza.change_signal ? parseSignal(stanza.change_signal) : undefined;
  const graceMs = stanza.restart_kill_grace ?? DEFAULT_KILL_GRACE_MS;

  let current: Running | undefined;
  let env: EnvValues | undefined;
  let stopping = false;
  let restarting = false;
  let queue: Promise<unknown> = Promise.resolve();
  let finish!: (r: ExitResult) => void;
  let finished = false;
  const exited = new Promise<ExitResult>((res) => (finish = res));

  function settle(result: ExitResult) {
    if (finished) return;
    finished = true;
    finish(result);
  }

  function launch(values: EnvValues): Promise<void> {
    const child = spawn(file!, args, {
      env: mergeEnv(opts.baseEnv ?? process.env, values),
      stdio: opts.stdio ?? "inherit",
      // Its own process group, so SIGKILL also reaches what the app started.
      detached: true,
    });
    const exit = new Promise<ExitResult>((res) => {
      child.once("exit", (code, signal) => res({ code, signal }));
      child.once("error", () => res({ code: EXIT_CANNOT_START, signal: null }));
    });
    const running: Running = { child, exit };
    current = running;
    exit.then((result) => {
      if (current !== running || restarting) return;
      logger.info({ pid: child.pid, code: result.code, signal: result.signal }, "app exited");
      settle(result);
    });
    return new Promise((res, rej) => {
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
  }

  async function end(running: Running, signal: NodeJS.Signals): Promise<ExitResult> {
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

  function checkRequired(values: EnvValues) {
    const missing = (opts.requiredEnv ?? []).filter((n) => !(n in values));
    if (missing.length > 0) {
      throw new VaultletError(
        "EXEC_ENV_INCOMPLETE",
        `not starting the app before every env_template rendered; missing: ${missing.join(", ")}`,
      );
    }
  }

  async function applyUpdate(values: EnvValues): Promise<UpdateOutcome> {
    if (!current || stopping || finished) {
      throw new VaultletError("EXEC_NOT_RUNNING", "the app is not running; start it first");
    }
    const changed = envChanges(env!, values);
    if (changed.length === 0) return "unchanged";
    if (stanza.restart_on_secret_changes === "never") {
      logger.info({ changed }, "environment changed; restart_on_secret_changes is never");
      return "ignored";
    }
    if (changeSignal) {
      logger.info({ changed, signal: changeSignal }, "environment changed; signalling app");
      current.child.kill(changeSignal);
      return "signalled";
    }
    logger.info({ changed, signal: stopSignal }, "environment changed; restarting app");
    restarting = true;
    try {
      await end(current, stopSignal);
    } finally {
      restarting = false;
    }
    if (stopping) return "restarted";
    env = { ...values };
    await launch(env);
    return "restarted";
  }

  const supervisor: Supervisor = {
    async start(values) {
      if (current) throw new VaultletError("EXEC_ALREADY_STARTED", "the app is already started");
      checkRequired(values);
      env = { ...values };
      try {
        await launch(env);
      } catch (err) {
        settle({ code: EXIT_CANNOT_START, signal: null });
        throw err;
      }
    },
    update(values) {
      checkRequired(values);
      const next = queue.then(() => applyUpdate(values));
      queue = next.catch(() => undefined);
      return next;
    },
    signal(name) {
      const sig = parseSignal(name);
      current?.child.kill(sig);
    },
    async stop(name) {
      stopping = true;
      const sig = name ? parseSignal(name) : stopSignal;
      if (!current) {
        settle({ code: null, signal: null });
        return exited;
      }
      const running = current;
      const result = await end(running, sig);
      settle(result);
      return exited;
    },
    forwardSignals(signals = FORWARDED_SIGNALS) {
      const handlers = signals.map((sig) => {
        const handler = () => {
          logger.info({ signal: sig }, "passing signal on to app");
          if (TERMINATING.has(sig)) void supervisor.stop(sig);
          else supervisor.signal(sig);
        };
        process.on(sig, handler);
        return () => process.off(sig, handler);
      });
      return () => handlers.forEach((off) => off());
    },
    exited,
    get pid() {
      return current?.child.pid;
    },
  };
  return supervisor;
}

/** The agent's exit code for how the app ended: its code, or 128 + the signal's number. */
export function exitCodeOf(result: ExitResult): number {
  if (result.code !== null) return result.code;
  if (result.signal) return 128 + (constants.signals[result.signal] ?? 0);
  return 0;
}
