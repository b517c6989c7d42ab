import type { Step } from "../walk.ts";
import type { Item } from "./parser.ts";

/**
 * Finds the line of a key path in the parsed file, so a validation problem
 * points at the line to fix. A step names a key, optionally the first label
 * of a block, and which of the matching items (n) is meant.
 */
export function locator(items: Item[]): (steps: readonly Step[]) => number | undefined {
  return (steps) => {
    let body = items;
    let line: number | undefined;
    for (const step of steps) {
      const matches = body.filter(
        (i) =>
          i.keys[0]!.name === step.key &&
          (step.label === undefined || i.keys[1]?.name === step.label),
      );
      const item = matches[step.n] ?? matches[0];
      if (!item) break;
      line = item.keys[0]!.line;
      body = item.value.kind === "object" ? item.value.items : [];
    }
    return line;
  };
}
