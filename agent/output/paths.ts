import { lstat, mkdir, realpath } from "node:fs/promises";
import path from "node:path";
import { VaultletError } from "../../shared/errors.ts";

/** Stable error codes of the output area; callers match on these, never on messages. */
export const OUTPUT_PATH_ESCAPES = "OUTPUT_PATH_ESCAPES";
export const OUTPUT_PATH_SYMLINK = "OUTPUT_PATH_SYMLINK";
export const OUTPUT_PATH_INVALID = "OUTPUT_PATH_INVALID";
export const OUTPUT_ROOT_MISSING = "OUTPUT_ROOT_MISSING";
export const OUTPUT_DIR_MISSING = "OUTPUT_DIR_MISSING";
export const OUTPUT_NOT_WRITABLE = "OUTPUT_NOT_WRITABLE";

/**
 * Directories made for create_dest_dirs. The same mode consul-template uses:
 * a directory listing is not secret, and the files inside carry their own
 * (0640 by default) modes.
 */
export const CREATED_DIR_MODE = 0o755;

export interface Destination {
  /** the root after resolving its own symlinks (the root itself is trusted config) */
  realRoot: string;
  /** directory that holds the file, inside realRoot */
  dir: string;
  /** absolute file path, inside realRoot */
  file: string;
  /** the path relative to the root, for messages */
  relative: string;
}

/**
 * The destination's path relative to the root, decided on the text alone:
 * absolute paths must lie under the root (as written or as resolved), relative
 * ones are taken from the root, and nothing may climb out with "..".
 */
export function relativeDestination(root: string, realRoot: string, destination: string): string {
  if (destination === "" || destination.includes("\0")) {
    throw new VaultletError(
      OUTPUT_PATH_INVALID,
      `destination ${JSON.stringify(destination)} is not a usable file path`,
    );
  }
  const candidates = path.isAbsolute(destination)
    ? [path.resolve(root), realRoot]
    : [path.resolve(root)];
  for (const base of candidates) {
    const rel = path.relative(base, path.resolve(base, destination));
    if (rel === "") {
      throw new VaultletError(
        OUTPUT_PATH_INVALID,
        `destination "${destination}" names the output root itself, not a file in it`,
      );
    }
    if (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel)) return rel;
  }
  throw new VaultletError(
    OUTPUT_PATH_ESCAPES,
    `destination "${destination}" is outside the output root "${root}"; use a path inside it`,
  );
}

/**
 * Resolves a destination inside `root`, checking every existing component
 * with lstat so that no symlink is followed, and creating missing directories
 * when asked. vaultlet refuses symlinks anywhere under the root, even ones
 * that point back inside: that is the only rule that cannot be raced into
 * leaving the volume.
 */
export async function resolveDestination(
  root: string,
  destination: string,
  createDirs: boolean,
): Promise<Destination> {
  const realRoot = await realRootOf(root);
  const relative = relativeDestination(root, realRoot, destination);
  const parts = relative.split(path.sep);
  const name = parts.pop()!;
  let dir = realRoot;
  for (const part of parts) {
    dir = path.join(dir, part);
    await ensureDirectory(dir, destination, createDirs);
  }
  const file = path.join(dir, name);
  await checkFinalComponent(file, destination);
  return { realRoot, dir, file, relative };
}

async function realRootOf(root: string): Promise<string> {
  try {
    const real = await realpath(root);
    if (!(await lstat(real)).isDirectory()) throw Object.assign(new Error(), { code: "ENOTDIR" });
    return real;
  } catch (err) {
    throw new VaultletError(
      OUTPUT_ROOT_MISSING,
      `output root "${root}" is not an existing directory; mount the volume there or fix the path`,
      { cause: err },
    );
  }
}

async function ensureDirectory(dir: string, destination: string, createDirs: boolean) {
  let stat = await lstatOrNull(dir);
  if (!stat) {
    if (!createDirs) {
      throw new VaultletError(
        OUTPUT_DIR_MISSING,
        `directory "${dir}" for destination "${destination}" does not exist; create it or set create_dest_dirs = true`,
      );
    }
    try {
      await mkdir(dir, { mode: CREATED_DIR_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw notWritable(dir, err);
    }
    stat = await lstatOrNull(dir);
  }
  if (stat?.isSymbolicLink()) {
    throw new VaultletError(
      OUTPUT_PATH_SYMLINK,
      `"${dir}" in destination "${destination}" is a symlink; vaultlet never follows symlinks in the output volume`,
    );
  }
  if (!stat?.isDirectory()) {
    throw new VaultletError(
      OUTPUT_NOT_WRITABLE,
      `"${dir}" in destination "${destination}" is not a directory`,
    );
  }
}

async function checkFinalComponent(file: string, destination: string) {
  const stat = await lstatOrNull(file);
  if (!stat) return;
  if (stat.isSymbolicLink()) {
    throw new VaultletError(
      OUTPUT_PATH_SYMLINK,
      `destination "${destination}" is a symlink; vaultlet never follows symlinks in the output volume`,
    );
  }
  if (!stat.isFile()) {
    throw new VaultletError(
      OUTPUT_NOT_WRITABLE,
      `destination "${destination}" exists and is not a regular file`,
    );
  }
}

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw notWritable(p, err);
  }
}

export function notWritable(p: string, err: unknown): VaultletError {
  const code = (err as NodeJS.ErrnoException).code ?? "error";
  return new VaultletError(OUTPUT_NOT_WRITABLE, `cannot write "${p}": ${code}`, { cause: err });
}

/**
 * The mount point of the volume that holds `destination`: walking down from
 * "/" without following symlinks, the deepest directory whose device differs
 * from its parent's. In a pod that is the in-memory secrets volume, so
 * passing it as writeFileAtomic's root keeps every write inside the volume
 * and refuses symlinks within it. The walk stops at the first symlink or
 * missing directory, whose part of the path writeFileAtomic then checks.
 */
export async function volumeRootOf(destination: string): Promise<string> {
  const dir = path.dirname(path.resolve(destination));
  const { root: top } = path.parse(dir);
  let current = top;
  let parentDev = (await lstat(top)).dev;
  let mountPoint = top;
  for (const part of path.relative(top, dir).split(path.sep).filter(Boolean)) {
    const next = path.join(current, part);
    const stat = await lstat(next).catch(() => null);
    if (!stat || !stat.isDirectory()) break;
    if (stat.dev !== parentDev) mountPoint = next;
    parentDev = stat.dev;
    current = next;
  }
  return mountPoint;
}
