/**
 * Reproducible tar archives from a description of their entries: sorted
 * names, parents before children, one fixed mtime, numeric owners only (no
 * user or group names), so the same entries always give the same bytes.
 *
 * tar-stream writes the archive in memory: the builder stays a function from
 * a layout to bytes, with no staging directory whose owners, modes and
 * timestamps would depend on the machine and the user building.
 */
import { posix } from "node:path";
import tarStream from "tar-stream";
import type { Headers } from "tar-stream";
import { VaultletError } from "../../shared/errors.ts";

interface Owned {
  /** absolute path inside the archive's root, e.g. /etc/passwd */
  readonly path: string;
  readonly uid?: number;
  readonly gid?: number;
}
export interface FileEntry extends Owned {
  readonly type: "file";
  readonly mode: number;
  readonly data: Uint8Array;
}
export interface DirEntry extends Owned {
  readonly type: "directory";
  readonly mode: number;
}
export interface SymlinkEntry extends Owned {
  readonly type: "symlink";
  readonly target: string;
}
export type TarEntry = FileEntry | DirEntry | SymlinkEntry;

/** every entry's mtime: the archive does not depend on when it was built */
export const FIXED_MTIME = new Date(0);

function normalize(path: string): string {
  const p = posix.normalize(`/${path}`);
  if (p === "/" || p.split("/").includes("..")) {
    throw new VaultletError("IMAGE_LAYOUT", `image path "${path}" must name a file below /`);
  }
  return p;
}

/**
 * The entries with every missing parent directory added (0755, root), sorted
 * by path. Two entries for one path are an error: a layout names each path once.
 */
export function completeTree(entries: readonly TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const e of entries) {
    const path = normalize(e.path);
    if (byPath.has(path)) {
      throw new VaultletError("IMAGE_LAYOUT", `image path "${path}" is declared twice`);
    }
    byPath.set(path, { ...e, path });
  }
  for (const path of [...byPath.keys()]) {
    for (let dir = posix.dirname(path); dir !== "/"; dir = posix.dirname(dir)) {
      if (!byPath.has(dir)) byPath.set(dir, { type: "directory", path: dir, mode: 0o755 });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function header(e: TarEntry): Headers {
  const common = { name: e.path.slice(1), mtime: FIXED_MTIME, uid: e.uid ?? 0, gid: e.gid ?? 0 };
  switch (e.type) {
    case "file":
      return { ...common, type: "file", mode: e.mode, size: e.data.byteLength };
    case "directory":
      return { ...common, type: "directory", mode: e.mode };
    case "symlink":
      return { ...common, type: "symlink", mode: 0o777, linkname: e.target };
  }
}

/** The tar archive (uncompressed) of the entries, parents added and sorted. */
export async function tarArchive(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Uint8Array[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on("data", (c) => chunks.push(c));
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
  for (const e of completeTree(entries)) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.type === "file") pack.entry(header(e), e.data, cb);
      else pack.entry(header(e), cb);
    });
  }
  pack.finalize();
  return done;
}
