/**
 * What the benchmarks read about a process and the machine: memory and CPU
 * from /proc (Linux), medians, and how vaultlet is launched (sources or a
 * bundle, with the node flags the image uses).
 */
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
import { AGENT_NODE_OPTIONS, IMAGES } from "../../deploy/images/layout.ts";

/**
 * The memory settings an image declares (NODE_OPTIONS and glibc's `MALLOC_*`,
 * from the image layout, the one place they are set), so the benchmarks run
 * the bundles as the images do. Both images size V8 below node's defaults,
 * which are made for big servers: the agent for an idle sidecar, the webhook
 * for a small server.
 */
export function imageEnv(image: "agent" | "webhook"): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(IMAGES[image].env)) {
    if (key === "NODE_OPTIONS" || key.startsWith("MALLOC_")) env[key] = value;
  }
  return env;
}

export { AGENT_NODE_OPTIONS };

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** user + system CPU seconds of a live process */
export function procCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // fields after the command name: utime is the 12th, stime the 13th (1-based 14, 15 overall)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface ProcMemory {
  rssMiB: number;
  anonMiB: number;
  peakMiB: number;
}

export function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return {
    rssMiB: kib("VmRSS") / 1024,
    anonMiB: kib("RssAnon") / 1024,
    peakMiB: kib("VmHWM") / 1024,
  };
}

/** how to start vaultlet: $VAULTLET_BIN (e.g. a bundle) or the sources, with the image's node flags and malloc settings */
export function vaultletCommand(): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const fromEnv = process.env["VAULTLET_BIN"];
  const bin = fromEnv ? resolve(fromEnv) : resolve(import.meta.dirname, "../../deploy/cli/bin.ts");
  const { NODE_OPTIONS: imageNodeOptions, ...imageMalloc } = imageEnv("agent");
  const nodeOptions = process.env["VAULTLET_NODE_OPTIONS"] ?? imageNodeOptions!;
  return {
    command: process.execPath,
    args: [bin],
    env: {
      ...(process.env["VAULTLET_NODE_OPTIONS"] === undefined ? imageMalloc : {}),
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  };
}

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")[0]!
      .trim();
  } catch {
    return "unknown";
  }
}

export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  bao: string;
  kernel: string;
}

export function describeMachine(baoBinary: string): MachineDescription {
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    bao: firstLine(baoBinary, ["version"]),
    kernel: firstLine("uname", ["-sr"]),
  };
}

/** The checkout's commit, e.g. "692d704" or "692d704 (with uncommitted changes)", for a result's header. */
export function commitOf(): string {
  const git = (args: string[]) =>
    execFileSync("git", ["-C", ROOT, ...args], { encoding: "utf8" }).trim();
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  return `${git(["rev-parse", "--short", "HEAD"])}${dirty ? " (with uncommitted changes)" : ""}`;
}

/** Where standalone benchmark runs keep their last result; `npm run bench` includes each in BENCHMARKS.md. */
export const RESULTS_DIR = resolve(import.meta.dirname, "results");
