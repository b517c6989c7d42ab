import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { describeError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";

/**
 * Calls `onChange` when any of `files` is written, replaced or removed.
 * Directories are watched, not files: kubelet replaces projected tokens by
 * swapping a `..data` symlink, which a watch on the old file never sees.
 * Returns the function that stops watching.
 */
export function watchFiles(files: string[], onChange: () => void, log: Logger): () => void {
  const dirs = new Map<string, Set<string>>();
  for (const p of files) {
    const abs = path.resolve(p);
    const names = dirs.get(path.dirname(abs)) ?? new Set<string>();
    names.add(path.basename(abs));
    dirs.set(path.dirname(abs), names);
  }
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of dirs) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (!name || names.has(name) || name.startsWith("..")) onChange();
      });
      // a directory removed later only ends the watch; logins still re-read the files
      w.on("error", () => undefined);
      watchers.push(w);
    } catch (err) {
      log.debug({ dir, error: describeError(err) }, "cannot watch credential directory");
    }
  }
  return () => watchers.forEach((w) => w.close());
}
