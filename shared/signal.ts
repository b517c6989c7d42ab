import { constants } from "node:os";
import { VaultletError } from "./errors.ts";

/**
 * Signal names, shared by the webhook (which refuses a bad signal annotation
 * at admission) and the agent (which sends it).
 */
export const SIGNAL_INVALID = "SIGNAL_INVALID";

/** "SIGHUP", "HUP" or "hup" -> "SIGHUP"; anything else is a clear error. */
export function parseSignal(name: string): NodeJS.Signals {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  if (!(full in constants.signals)) {
    throw new VaultletError(
      SIGNAL_INVALID,
      `"${name}" is not a signal name; use one like SIGHUP, SIGTERM or SIGUSR1`,
    );
  }
  return full as NodeJS.Signals;
}
