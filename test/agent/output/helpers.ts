import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** Alive means present in /proc and not a zombie waiting to be reaped. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Polls `check` until it holds; fails with `what` after `limitMs` (a safety net, not a timing claim). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = 10_000,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

export async function readOrEmpty(file: string): Promise<string> {
  return readFile(file, "utf8").catch(() => "");
}
