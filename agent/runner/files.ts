import { readFileSync } from "node:fs";
import { describeError, VaultletError } from "../../shared/errors.ts";

export const TEMPLATE_SOURCE_UNREADABLE = "TEMPLATE_SOURCE_UNREADABLE";

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
