import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/**
 * Field names whose values are never written, wherever they appear. Values
 * that are secrets must not reach a logger at all; this is the second net.
 */
export const REDACTED_KEYS = [
  "token",
  "client_token",
  "clientToken",
  "jwt",
  "password",
  "secret_id",
  "private_key",
  "privateKey",
  "data",
  "X-Vault-Token",
  "authorization",
] as const;

export interface LogOptions {
  level?: string;
  /** "json" (default) or "standard" (one human line per entry). */
  format?: "json" | "standard";
  name?: string;
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const options: LoggerOptions = {
    level: opts.level ?? "info",
    base: opts.name ? { name: opts.name } : null,
    redact: { paths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const dest = opts.destination ?? pino.destination({ fd: 2, sync: false });
  return pino(options, dest as pino.DestinationStream);
}
