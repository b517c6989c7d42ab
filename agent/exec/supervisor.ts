import type { StdioOptions } from "node:child_process";
import { constants } from "node:os";
import { VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { ExecStanza } from "../../shared/agent-config/types.ts";
import { serialQueue } from "../../shared/serial.ts";
import { parseSignal } from "../../shared/signal.ts";
import {
  endChild,
  EXIT_CANNOT_START,
  launchChild,
  type ExitResult,
  type Running,
} from "./child.ts";
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
export type { ExitResult } from "./child.ts";

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
  return new AppSupervisor(stanza, logger, opts);
}

/**
 * The update policy (updatePolicy) over the child-process handling
 * (./child.ts): updates are serialised, a restart ends the old child before
 * the new one starts, and `exited` settles once, when the app ends for good.
 */
class AppSupervisor implements Supervisor {
  readonly #stanza: ExecStanza;
  readonly #logger: Logger;
  readonly #opts: SupervisorOptions;
  readonly #file: string;
  readonly #args: string[];
  readonly #stopSignal: NodeJS.Signals;
  readonly #changeSignal: NodeJS.Signals | undefined;
  readonly #graceMs: number;
  #current: Running | undefined;
  #env: EnvValues | undefined;
  #stopping = false;
  #restarting = false;
  #finished = false;
  /** updates run one at a time, in order */
  readonly #updates = serialQueue();
  #finish!: (r: ExitResult) => void;
  readonly exited = new Promise<ExitResult>((res) => (this.#finish = res));

  constructor(stanza: ExecStanza, logger: Logger, opts: SupervisorOptions) {
    const [file, ...args] = stanza.command;
    if (!file) {
      throw new VaultletError("EXEC_INVALID", "exec.command is empty; give the app's command");
    }
    this.#stanza = stanza;
    this.#logger = logger;
    this.#opts = opts;
    this.#file = file;
    this.#args = args;
    this.#stopSignal = parseSignal(stanza.restart_stop_signal || "SIGTERM");
    this.#changeSignal = stanza.change_signal ? parseSignal(stanza.change_signal) : undefined;
    this.#graceMs = stanza.restart_kill_grace ?? DEFAULT_KILL_GRACE_MS;
  }

  get pid(): number | undefined {
    return this.#current?.child.pid;
  }

  async start(values: EnvValues): Promise<void> {
    if (this.#current) {
      throw new VaultletError("EXEC_ALREADY_STARTED", "the app is already started");
    }
    requireNames(this.#opts.requiredEnv ?? [], values);
    this.#env = { ...values };
    try {
      await this.#launch(this.#env);
    } catch (err) {
      this.#settle({ code: EXIT_CANNOT_START, signal: null });
      throw err;
    }
  }

  update(values: EnvValues): Promise<UpdateOutcome> {
    requireNames(this.#opts.requiredEnv ?? [], values);
    return this.#updates.run(() => this.#applyUpdate(values));
  }

  signal(name: string): void {
    const sig = parseSignal(name);
    this.#current?.child.kill(sig);
  }

  async stop(name?: string): Promise<ExitResult> {
    this.#stopping = true;
    const sig = name ? parseSignal(name) : this.#stopSignal;
    if (!this.#current) {
      this.#settle({ code: null, signal: null });
      return this.exited;
    }
    const result = await this.#end(this.#current, sig);
    this.#settle(result);
    return this.exited;
  }

  forwardSignals(signals: NodeJS.Signals[] = FORWARDED_SIGNALS): () => void {
    return forwardTo(this, this.#logger, signals);
  }

  #settle(result: ExitResult): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#finish(result);
  }

  #launch(values: EnvValues): Promise<void> {
    const logger = this.#logger;
    const { running, started } = launchChild({
      file: this.#file,
      args: this.#args,
      env: mergeEnv(this.#opts.baseEnv ?? process.env, values),
      stdio: this.#opts.stdio ?? "inherit",
      logger,
    });
    this.#current = running;
    running.exit.then((result) => {
      if (this.#current !== running || this.#restarting) return;
      const { code, signal } = result;
      logger.info({ pid: running.child.pid, code, signal }, "app exited");
      this.#settle(result);
    });
    return started;
  }

  #end(running: Running, signal: NodeJS.Signals): Promise<ExitResult> {
    return endChild(running, signal, this.#graceMs, this.#logger);
  }

  async #applyUpdate(values: EnvValues): Promise<UpdateOutcome> {
    const current = this.#current;
    if (!current || this.#stopping || this.#finished) {
      throw new VaultletError("EXEC_NOT_RUNNING", "the app is not running; start it first");
    }
    const changed = envChanges(this.#env!, values);
    const policy = updatePolicy(this.#stanza, changed, this.#changeSignal, this.#logger);
    if (policy !== "restart") {
      if (policy === "signalled") current.child.kill(this.#changeSignal!);
      return policy;
    }
    this.#logger.info({ changed, signal: this.#stopSignal }, "environment changed; restarting app");
    this.#restarting = true;
    try {
      await this.#end(current, this.#stopSignal);
    } finally {
      this.#restarting = false;
    }
    if (this.#stopping) return "restarted";
    this.#env = { ...values };
    await this.#launch(this.#env);
    return "restarted";
  }
}

/** start and update need every env_template name: the app never runs with half its environment. */
function requireNames(required: readonly string[], values: EnvValues): void {
  const missing = required.filter((n) => !(n in values));
  if (missing.length > 0) {
    throw new VaultletError(
      "EXEC_ENV_INCOMPLETE",
      `not starting the app before every env_template rendered; missing: ${missing.join(", ")}`,
    );
  }
}

/** Passes the agent's own signals on; the terminating ones stop the app for good. */
function forwardTo(supervisor: Supervisor, logger: Logger, signals: NodeJS.Signals[]): () => void {
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
}

/**
 * What new values call for: nothing when no variable changed, nothing when
 * restart_on_secret_changes is never, change_signal when set, else a restart.
 */
function updatePolicy(
  stanza: ExecStanza,
  changed: string[],
  changeSignal: NodeJS.Signals | undefined,
  logger: Logger,
): "unchanged" | "ignored" | "signalled" | "restart" {
  if (changed.length === 0) return "unchanged";
  if (stanza.restart_on_secret_changes === "never") {
    logger.info({ changed }, "environment changed; restart_on_secret_changes is never");
    return "ignored";
  }
  if (changeSignal) {
    logger.info({ changed, signal: changeSignal }, "environment changed; signalling app");
    return "signalled";
  }
  return "restart";
}

export function exitCodeOf(result: ExitResult): number {
  if (result.code !== null) return result.code;
  if (result.signal) return 128 + (constants.signals[result.signal] ?? 0);
  return 0;
}
