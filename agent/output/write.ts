import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { open, realpath, rename, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { VaultletError } from "../../shared/errors.ts";
import { goStringBytes } from "../../shared/go-string.ts";
import {
  notWritable,
  OUTPUT_NOT_WRITABLE,
  OUTPUT_PATH_SYMLINK,
  resolveDestination,
} from "./paths.ts";

/**
 * Mode of a new file when the template sets no perms. The reference agent
 * uses 0644; vaultlet uses 0640 on purpose, because these files hold secrets
 * and the app normally shares the agent's group (fsGroup), not "other".
 * An existing file keeps its mode when no perms are set, as in the reference.
 */
export const DEFAULT_FILE_MODE = 0o640;

export interface WriteOptions {
  /** file mode bits, e.g. 0o600; default: the existing file's mode, else 0640 */
  perms?: number;
  /** create missing directories under the root (create_dest_dirs) */
  createDirs?: boolean;
}

/**
 * Writes `bytes` to `destination` (absolute, or relative to `root`) so that a
 * reader sees either the old file or the new one, never a part: a temporary
 * file in the same directory, fsync, rename. Nothing is written when the file
 * already holds these bytes (a wrong mode is corrected in place), so
 * `changed` tells the caller whether to run commands or signal the app.
 * Paths that leave the root, and symlinks anywhere under it, are refused.
 * The bytes never appear in an error or a log.
 */
export async function writeFileAtomic(
  root: string,
  destination: string,
  bytes: Buffer | string,
  opts: WriteOptions = {},
): Promise<{ changed: boolean }> {
  // a template's invalid UTF-8 bytes are written as the bytes they are (see go-string.ts)
  const data = typeof bytes === "string" ? goStringBytes(bytes) : bytes;
  if (opts.perms !== undefined) checkPerms(opts.perms, destination);
  const dest = await resolveDestination(root, destination, opts.createDirs ?? false);
  const current = await readCurrent(dest.file, destination);
  const mode = opts.perms ?? (current ? current.stat.mode & 0o7777 : DEFAULT_FILE_MODE);
  if (current && current.bytes.equals(data)) {
    if ((current.stat.mode & 0o7777) !== mode) await fixMode(dest.file, mode);
    return { changed: false };
  }
  await replaceFile(dest.dir, dest.file, data, mode);
  return { changed: true };
}

function checkPerms(perms: number, destination: string) {
  if (!Number.isInteger(perms) || perms < 0 || perms > 0o7777) {
    throw new VaultletError(
      "OUTPUT_PERMS_INVALID",
      `perms for "${destination}" must be file mode bits such as 0640, got ${perms}`,
    );
  }
}

/** The file's current bytes, read through a descriptor that refuses a symlink. */
async function readCurrent(
  file: string,
  destination: string,
): Promise<{ bytes: Buffer; stat: Stats } | null> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ELOOP") {
      throw new VaultletError(
        OUTPUT_PATH_SYMLINK,
        `destination "${destination}" is a symlink; vaultlet never follows symlinks in the output volume`,
      );
    }
    throw notWritable(file, err);
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) {
      throw new VaultletError(
        OUTPUT_NOT_WRITABLE,
        `destination "${destination}" exists and is not a regular file`,
      );
    }
    return { bytes: await fh.readFile(), stat };
  } finally {
    await fh.close();
  }
}

async function fixMode(file: string, mode: number) {
  const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err) => {
    throw notWritable(file, err);
  });
  try {
    await fh.chmod(mode);
  } catch (err) {
    throw notWritable(file, err);
  } finally {
    await fh.close();
  }
}

async function replaceFile(dir: string, file: string, data: Buffer, mode: number) {
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    await fh.writeFile(data);
    // chmod after create: the umask must not decide what the template asked for.
    await fh.chmod(mode);
    await fh.sync();
    await fh.close();
    fh = undefined;
    // The directory was checked component by component; if it was swapped for
    // a symlink since, the rename would land elsewhere, so check once more.
    if ((await realpath(dir)) !== dir) {
      throw new VaultletError(
        OUTPUT_PATH_SYMLINK,
        `directory "${dir}" changed into a symlink while writing; refusing to write "${file}"`,
      );
    }
    await rename(temp, file);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err instanceof VaultletError ? err : notWritable(file, err);
  }
  await syncDirectory(dir);
}

/** Makes the rename durable on disk-backed volumes; tmpfs accepts and ignores it. */
async function syncDirectory(dir: string) {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY).catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}
