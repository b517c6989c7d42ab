/**
 * writeToFile and plugin: the two template functions that reach outside the
 * template, run as Vault Agent runs them, only when the agent config allows
 * each by name (`vaultlet { allow_functions = [...] }`, or the agent's
 * `-allow-function` flag). Without that the Go engine does not know them and
 * the template is refused at start-up (unavailable.ts).
 *
 * Both are synchronous, as the Go engine is: the render (and the agent's
 * event loop) waits for the write or the command, at most PLUGIN_TIMEOUT_MS
 * for a command. Errors use Go's wording, so they read as Vault Agent's do.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { goQuote } from "../go/fmt.ts";
import { define, FunctionError, type TemplateFunction } from "./types.ts";

/** consul-template gives a plugin 30 seconds, then kills it. */
export const PLUGIN_TIMEOUT_MS = 30_000;
/** what a plugin may print before it is stopped (Go keeps all; vaultlet will not grow without bound) */
export const PLUGIN_OUTPUT_LIMIT = 16 * 1024 * 1024;

/** Go's text for the errno values file writes and process starts meet. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EEXIST: "file exists",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EINVAL: "invalid argument",
  ENOEXEC: "exec format error",
  ETXTBSY: "text file busy",
  EDQUOT: "disk quota exceeded",
};

const errnoText = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code ?? "";
  return ERRNO_TEXT[code] ?? (code || (e as Error).message);
};

/** An fs call whose failure reads as Go's *PathError: "op path: reason". */
function pathOp<T>(op: string, path: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw new FunctionError(`${op} ${path}: ${errnoText(e)}`);
  }
}

/** Go's strconv.ParseUint(s, 8, 32), keeping the permission bits as os.Chmod does. */
function parseMode(s: string): number {
  const quoted = goQuote(s);
  if (!/^[0-7]+$/.test(s))
    throw new FunctionError(`strconv.ParseUint: parsing ${quoted}: invalid syntax`);
  const value = Number.parseInt(s, 8);
  if (value > 0xffffffff)
    throw new FunctionError(`strconv.ParseUint: parsing ${quoted}: value out of range`);
  return value & 0o777;
}

/** A user or group by name from the files Go's own lookup reads, else a number, else Go's error. */
function lookupId(file: string, name: string, kind: "user" | "group"): number {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // no such file: only numeric ids resolve, as in Go
  }
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name && fields.length >= 3 && /^\d+$/.test(fields[2]!))
      return Number(fields[2]);
  }
  if (/^[+-]?\d+$/.test(name) && Math.abs(Number(name)) <= Number.MAX_SAFE_INTEGER)
    return Number(name);
  throw new FunctionError(`${kind}: unknown ${kind} ${name}`);
}

/**
 * writeToFile(path, owner, group, mode, [flags,] content): write (or, with
 * flags "append", append) content, plus a newline with "newline"; chown when
 * an owner or group is given; chmod always. Returns "".
 */
export function writeToFile(
  path: string,
  username: string,
  groupName: string,
  permissions: string,
  ...args: string[]
): string {
  if (args.length === 0) throw new FunctionError("runtime error: index out of range [-1]");
  const flags = args.length === 2 ? args[0]! : "";
  const content = args[args.length - 1]!;
  const mode = parseMode(permissions);
  let fd: number;
  if (flags.includes("append")) {
    const how = constants.O_APPEND | constants.O_WRONLY | constants.O_CREAT;
    fd = pathOp("open", path, () => openSync(path, how, mode));
  } else {
    const dir = dirname(path);
    try {
      statSync(dir);
    } catch {
      pathOp("mkdir", dir, () => mkdirSync(dir, { recursive: true, mode: 0o777 }));
    }
    fd = pathOp("open", path, () => openSync(path, "w", 0o666));
  }
  try {
    const bytes = Buffer.from(flags.includes("newline") ? `${content}\n` : content, "utf8");
    pathOp("write", path, () => writeSync(fd, bytes));
  } finally {
    closeSync(fd);
  }
  if (username !== "" || groupName !== "") {
    const uid = username === "" ? process.getuid!() : lookupId("/etc/passwd", username, "user");
    const gid = groupName === "" ? process.getgid!() : lookupId("/etc/group", groupName, "group");
    pathOp("chown", path, () => chownSync(path, uid, gid));
  }
  pathOp("chmod", path, () => chmodSync(path, mode));
  return "";
}

/** Go's name for the signal that ended a process (ProcessState's "signal: NAME"). */
const SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGHUP: "hangup",
  SIGINT: "interrupt",
  SIGQUIT: "quit",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGPIPE: "broken pipe",
  SIGBUS: "bus error",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};

interface ExecFailure extends NodeJS.ErrnoException {
  status?: number | null;
  signal?: NodeJS.Signals | null;
  stdout?: Buffer;
  stderr?: Buffer;
}

/** Go's Duration text for whole seconds or milliseconds ("30s", "250ms"). */
const goDuration = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

function pluginFailure(name: string, e: ExecFailure, timeoutMs: number): FunctionError {
  const q = goQuote(name);
  if (e.code === "ETIMEDOUT")
    return new FunctionError(`exec ${q}: did not finish in ${goDuration(timeoutMs)}`);
  if (e.code === "ENOBUFS")
    return new FunctionError(`exec ${q}: printed more than ${PLUGIN_OUTPUT_LIMIT} bytes`);
  let reason: string;
  if (typeof e.status === "number") reason = `exit status ${e.status}`;
  else if (e.signal) reason = `signal: ${SIGNAL_TEXT[e.signal] ?? e.signal}`;
  else if (!name.includes("/") && (e.code === "ENOENT" || e.code === "EACCES"))
    reason = `exec: ${q}: executable file not found in $PATH`;
  else reason = `fork/exec ${name}: ${errnoText(e)}`;
  const out = (b: Buffer | undefined) => b?.toString("utf8") ?? "";
  return new FunctionError(
    `exec ${q}: ${reason}\n\nstdout:\n\n${out(e.stdout)}\n\nstderr:\n\n${out(e.stderr)}`,
  );
}

/**
 * plugin(command, args...): run the command without a shell, each argument
 * trimmed and empty ones dropped, with the agent's environment and no stdin;
 * the result is its standard output, trimmed. An empty command returns "".
 * The arguments are never logged: an error names the command and shows what
 * it printed, as Vault Agent's does (secret values in it are redacted by the
 * engine).
 */
export function createPlugin(
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs = PLUGIN_TIMEOUT_MS,
): (name: string, ...args: string[]) => string {
  return (name, ...args) => {
    if (name === "") return "";
    const argv = args.map((a) => a.trim()).filter((a) => a !== "");
    try {
      const stdout = execFileSync(name, argv, {
        env: env as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: PLUGIN_OUTPUT_LIMIT,
        shell: false,
        windowsHide: true,
      });
      return stdout.toString("utf8").trim();
    } catch (e) {
      throw pluginFailure(name, e as ExecFailure, timeoutMs);
    }
  };
}

const S = "string" as const;

/** The functions the agent config can allow, built for one render's environment. */
export function outsideFunctions(
  env: Readonly<Record<string, string | undefined>>,
): Record<"writeToFile" | "plugin", TemplateFunction> {
  return {
    writeToFile: define([S, S, S, S], writeToFile, S),
    plugin: define([S], createPlugin(env), S),
  };
}
