/**
 * Bounds on what one Sprig call may build from a small argument
 * (`sprig_repeat 1000000000 "x"`, `sprig_until 1000000000`): Go would try and
 * exhaust the agent's memory; vaultlet stops with an error naming the limit.
 * The render's own output limit is 16 MiB, so no useful template needs more.
 */
import { FunctionError } from "../types.ts";

export const MAX_TEXT = 16 * 1024 * 1024;
export const MAX_ITEMS = 1_000_000;

export function checkText(length: number): void {
  if (length > MAX_TEXT)
    throw new FunctionError(`the result would be longer than ${MAX_TEXT} characters`);
}

export function checkItems(count: number): void {
  if (count > MAX_ITEMS)
    throw new FunctionError(`the result would have more than ${MAX_ITEMS} items`);
}
