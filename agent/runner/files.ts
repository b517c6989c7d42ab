import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describeError, VaultletError } from "../../shared/errors.ts";

export const TEMPLATE_SOURCE_UNREADABLE = "TEMPLATE_SOURCE_UNREADABLE";

/** the nearest existing directory above the destination: writes may not leave it */
export function outputRoot(dest: string): string {
  let dir = path.dirname(dest);
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export function readSource(source: string | undefined, name: string): string {
  if (!source) {
    throw new VaultletError(TEMPLATE_SOURCE_UNREADABLE, `template ${name}: set contents or source`);
  }
  try {
    return readFileSync(source, "utf8");
  } catch (err) {
    throw new VaultletError(
      TEMPLATE_SOURCE_UNREADABLE,
      `template ${name}: cannot read source ${source}: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}`,
      { cause: err },
    );
  }
}
