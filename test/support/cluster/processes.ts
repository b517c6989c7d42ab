/**
 * The cluster's long-lived processes: started detached (they outlive the
 * `up` command), output appended to logs/COMPONENT.log, pid in pids/.
 * Also the process-table reading that `down` uses to find leftovers.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandLine } from "./config.ts";
import type { ClusterLayout } from "./layout.ts";
import { componentLog } from "./layout.ts";

export function startComponent(layout: ClusterLayout, cmd: CommandLine): number {
  if (cmd.binary.includes("/") && !existsSync(cmd.binary)) {
    throw new Error(
      `${cmd.component}: ${cmd.binary} is missing; run \`source test/scripts/setup.sh\` to build it`,
    );
  }
  const log = openSync(componentLog(layout, cmd.component), "a");
  try {
    const child = spawn(cmd.binary, cmd.args, {
      detached: true,
      stdio: ["ignore", log, log],
      cwd: layout.stateDir,
    });
    if (child.pid === undefined) {
      throw new Error(`${cmd.component} could not be started (${cmd.binary})`);
    }
    // A spawn failure after this point shows as the component never becoming
    // ready, with its log named; it must not crash the caller.
    child.on("error", () => {});
    child.unref();
    writeFileSync(join(layout.pidsDir, `${cmd.component}.pid`), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function componentPid(layout: ClusterLayout, component: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(layout.pidsDir, `${component}.pid`), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie is gone for our purposes: it holds no mount and no port.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

export function processTable(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (rest[0] === "Z") continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      out.push({ pid: Number(entry), ppid: Number(rest[1]), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** `roots` and every process below them. */
export function withDescendants(table: ProcessInfo[], roots: number[]): number[] {
  const found = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of table) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = left.filter(isAlive);
  }
  return left;
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopPids(pids: number[], graceMs: number): Promise<void> {
  for (const pid of pids) signal(pid, "SIGTERM");
  const left = await waitGone(pids, graceMs);
  for (const pid of left) signal(pid, "SIGKILL");
  await waitGone(left, 5000);
}
