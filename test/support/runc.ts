/**
 * Runs a command in an unpacked image with runc, the OCI runtime containerd
 * uses under the kubelet, shaped like a restricted pod: the image's user, a
 * read-only root filesystem, no capabilities, no new privileges, and its own
 * network namespace (loopback only) unless `hostNetwork`.
 *
 * RUNC_BIN comes from test/scripts/setup.sh (Debian's runc); running
 * containers needs root.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, removeTempDir, spawnTracked, type TrackedProcess } from "./processes.ts";

export interface BindMount {
  readonly source: string;
  readonly destination: string;
  readonly readonly: boolean;
}

export interface ContainerRun {
  /** the unpacked image */
  readonly rootfs: string;
  readonly args: readonly string[];
  /** KEY=value, as in the image config */
  readonly env: readonly string[];
  readonly uid: number;
  readonly gid: number;
  readonly hostNetwork?: boolean;
  readonly binds?: readonly BindMount[];
}

const MOUNTS = [
  { destination: "/proc", type: "proc", source: "proc" },
  {
    destination: "/dev",
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
  },
  {
    destination: "/dev/pts",
    type: "devpts",
    source: "devpts",
    options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"],
  },
  {
    destination: "/dev/shm",
    type: "tmpfs",
    source: "shm",
    options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
  },
];

/** The OCI runtime spec (config.json) for one run. */
export function runtimeSpec(run: ContainerRun): object {
  const sys = run.hostNetwork
    ? // sysfs can only be mounted fresh inside a network namespace of its own
      {
        destination: "/sys",
        type: "bind",
        source: "/sys",
        options: ["rbind", "nosuid", "noexec", "nodev", "ro"],
      }
    : {
        destination: "/sys",
        type: "sysfs",
        source: "sysfs",
        options: ["nosuid", "noexec", "nodev", "ro"],
      };
  const binds = (run.binds ?? []).map((b) => ({
    destination: b.destination,
    type: "bind",
    source: b.source,
    options: ["rbind", "nosuid", "nodev", "noexec", b.readonly ? "ro" : "rw"],
  }));
  const none: string[] = [];
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: run.uid, gid: run.gid },
      args: run.args,
      env: run.env,
      cwd: "/",
      capabilities: {
        bounding: none,
        effective: none,
        inheritable: none,
        permitted: none,
        ambient: none,
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: run.rootfs, readonly: true },
    hostname: "vaultlet-test",
    mounts: [...MOUNTS, sys, ...binds],
    linux: {
      namespaces: [
        { type: "pid" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
        ...(run.hostNetwork ? [] : [{ type: "network" }]),
      ],
      maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

export function runcBinary(): string {
  const bin = process.env["RUNC_BIN"];
  if (!bin) throw new Error("RUNC_BIN is not set: run `source test/scripts/setup.sh` first");
  return bin;
}

let runs = 0;

export interface RunningContainer {
  /** runc itself: it forwards signals to the container's process 1, as a kubelet's stop does */
  readonly proc: TrackedProcess;
  /** waits for the end, then removes the container and its bundle */
  finished(): Promise<{ code: number | null; output: string }>;
}

/** Starts the container; runc stays in the foreground, so its exit is the container's. */
export function startContainer(run: ContainerRun, timeoutMs = 60_000): RunningContainer {
  const runc = runcBinary();
  const dir = makeTempDir("vaultlet-runc-");
  const id = `vaultlet-test-${process.pid}-${++runs}`;
  const state = join(dir, "state");
  writeFileSync(join(dir, "config.json"), JSON.stringify(runtimeSpec(run)));
  const proc = spawnTracked(runc, ["--root", state, "run", "--bundle", dir, id]);
  const timer = setTimeout(() => void proc.stop("SIGKILL"), timeoutMs);
  let ended: Promise<{ code: number | null; output: string }> | undefined;
  const end = async () => {
    try {
      await proc.exited();
      return { code: proc.child.exitCode, output: proc.output() };
    } finally {
      clearTimeout(timer);
      try {
        execFileSync(runc, ["--root", state, "delete", "--force", id], { stdio: "ignore" });
      } catch {
        // runc removed the container when it ended
      }
      removeTempDir(dir);
    }
  };
  return { proc, finished: () => (ended ??= end()) };
}

/** Runs the container to its end; the exit code and its stdout and stderr. */
export function runContainer(
  run: ContainerRun,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  return startContainer(run, timeoutMs).finished();
}
