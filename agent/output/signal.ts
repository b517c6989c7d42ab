import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { VaultletError } from "../../shared/errors.ts";
import type { SignalAction } from "../../shared/agent-config/types.ts";
import { parseSignal } from "../../shared/signal.ts";

export { parseSignal, SIGNAL_INVALID } from "../../shared/signal.ts";

export const SIGNAL_NO_TARGET = "SIGNAL_NO_TARGET";
export const SIGNAL_NO_PROCESS = "SIGNAL_NO_PROCESS";
export const SIGNAL_NOT_PERMITTED = "SIGNAL_NOT_PERMITTED";
export const SIGNAL_PID_FILE_INVALID = "SIGNAL_PID_FILE_INVALID";

const PROC = "/proc";
/** The kernel keeps only the first 15 bytes of a process's name in /proc/<pid>/comm. */
const COMM_LENGTH = 15;

/**
 * vaultlet extension: tells the app that a file changed without a shell or
 * pkill in the agent image. The target is found by pid file, or by name in
 * /proc (the pod needs shareProcessNamespace: true to see the app). Every
 * process with that name gets the signal, except the agent itself.
 */
export async function sendSignal(action: SignalAction): Promise<{ pids: number[] }> {
  const signal = parseSignal(action.signal);
  let pids: number[];
  if (action.pid_file) {
    pids = [await readPidFile(action.pid_file)];
  } else if (action.process_name) {
    pids = await findProcessesByName(action.process_name);
    if (pids.length === 0) {
      throw new VaultletError(
        SIGNAL_NO_PROCESS,
        `no process named "${action.process_name}" is running; check the name (as in ps) and that the pod sets shareProcessNamespace: true`,
      );
    }
  } else {
    throw new VaultletError(
      SIGNAL_NO_TARGET,
      `the ${signal} action names no target; set process_name or pid_file`,
    );
  }
  await deliverAll(pids, signal, action);
  return { pids };
}

async function readPidFile(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new VaultletError(
      SIGNAL_PID_FILE_INVALID,
      `cannot read pid file "${file}": ${(err as NodeJS.ErrnoException).code ?? "error"}`,
      { cause: err },
    );
  }
  const trimmed = text.trim();
  const pid = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(pid) || pid < 1) {
    throw new VaultletError(
      SIGNAL_PID_FILE_INVALID,
      `pid file "${file}" does not hold a process id (expected one positive number)`,
    );
  }
  if (pid === process.pid) {
    throw new VaultletError(
      SIGNAL_PID_FILE_INVALID,
      `pid file "${file}" names the agent's own process; point it at the app's pid file`,
    );
  }
  return pid;
}

/**
 * Signals every pid, so one process that cannot be reached does not keep
 * the others from their reload; the first failure is then reported.
 */
async function deliverAll(
  pids: number[],
  signal: NodeJS.Signals,
  action: SignalAction,
): Promise<void> {
  let first: unknown;
  for (const pid of pids) {
    try {
      await deliver(pid, signal, action);
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

async function deliver(pid: number, signal: NodeJS.Signals, action: SignalAction): Promise<void> {
  const target = action.pid_file
    ? `process ${pid} (from pid file "${action.pid_file}")`
    : `process ${pid} ("${action.process_name}")`;
  try {
    process.kill(pid, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ESRCH") {
      throw new VaultletError(SIGNAL_NO_PROCESS, `${target} is not running`, { cause: err });
    }
    if (code === "EPERM") {
      const uid = await processUid(pid);
      throw new VaultletError(SIGNAL_NOT_PERMITTED, notPermitted(signal, target, uid), {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Linux lets a process without CAP_KILL signal only processes whose real or
 * saved uid is its own real or effective uid: the message gives both uids
 * and how to make them one. It names the process by pid and the configured
 * name only: a command line may hold secrets.
 */
export function notPermitted(
  signal: NodeJS.Signals,
  target: string,
  targetUid: number | undefined,
  agentUid: number | undefined = process.geteuid?.(),
): string {
  const theirs =
    targetUid === undefined ? "another uid (its /proc status is not readable)" : `uid ${targetUid}`;
  const ours = agentUid === undefined ? "another uid" : `uid ${agentUid}`;
  const want = targetUid === undefined ? "the app's uid" : `uid ${targetUid}`;
  const value = targetUid === undefined ? "<the app's uid>" : String(targetUid);
  return (
    `not allowed to send ${signal} to ${target}: it runs as ${theirs} and the agent as ${ours}, ` +
    `and a process without CAP_KILL can signal only processes of its own uid; run the agent as ${want} ` +
    `(in Kubernetes: set securityContext.runAsUser: ${value} on the app's container or pod and vaultlet's webhook runs the agent as that uid, ` +
    `or set the annotation vault.hashicorp.com/agent-run-as-user: "${value}")`
  );
}

/** The real uid from /proc/<pid>/status ("Uid:\treal\teffective\tsaved\tfs"), if readable. */
export async function processUid(pid: number, procRoot = PROC): Promise<number | undefined> {
  try {
    const status = await readFile(path.join(procRoot, String(pid), "status"), "utf8");
    const m = /^Uid:\s+(\d+)/m.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** What one /proc entry says about a process's name. */
export interface ProcessNames {
  comm: string;
  argv: string[];
}

/**
 * Whether a process answers to `name`, the way people name processes in
 * ps and pkill: its kernel name (comm, cut to 15 bytes) or the file name of
 * its argv[0]. Kernel threads (empty argv) never match.
 */
export function processMatches(names: ProcessNames, name: string): boolean {
  if (names.argv.length === 0) return false;
  const argv0 = path.basename(names.argv[0]!);
  if (argv0 === name) return true;
  if (name.length <= COMM_LENGTH) return names.comm === name;
  // A long name is cut in comm; the full one must then be argv[0]'s start.
  return names.comm === name.slice(0, COMM_LENGTH) && argv0.startsWith(name);
}

/** Pids of processes named `name` in this process namespace, the agent excluded. */
export async function findProcessesByName(name: string, procRoot = PROC): Promise<number[]> {
  const pids = (await readdir(procRoot))
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid);
  // All at once: a lookup costs one round of small reads, not one per process.
  const matches = await Promise.all(
    pids.map(async (pid) => {
      const names = await readProcessNames(path.join(procRoot, String(pid)));
      return names !== null && processMatches(names, name);
    }),
  );
  return pids.filter((_, i) => matches[i]).sort((a, b) => a - b);
}

async function readProcessNames(dir: string): Promise<ProcessNames | null> {
  try {
    const [comm, cmdline] = await Promise.all([
      readFile(path.join(dir, "comm"), "utf8"),
      readFile(path.join(dir, "cmdline"), "utf8"),
    ]);
    const argv = cmdline.split("\0");
    if (argv.at(-1) === "") argv.pop();
    return { comm: comm.replace(/\n$/, ""), argv };
  } catch {
    // the process ended while we looked, or belongs to someone we cannot read
    return null;
  }
}
