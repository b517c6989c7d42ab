import { VaultletError } from "./errors.ts";

/**
 * Durations as Vault Agent and consul-template accept them: Go syntax
 * (`1h30m`, `500ms`, `1.5s`) or a bare number of seconds (`300`).
 * Values are milliseconds throughout vaultlet.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

export function parseDuration(input: string | number, what = "duration"): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) throw invalid(String(input), what);
    return input * 1000;
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1e9) / 1e6;
  let rest = text;
  if (rest.startsWith("-")) throw invalid(input, what);
  if (rest.startsWith("+")) rest = rest.slice(1);
  if (rest === "") throw invalid(input, what);
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < rest.length) {
    PART.lastIndex = pos;
    const m = PART.exec(rest);
    if (!m) throw invalid(input, what);
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
    pos = PART.lastIndex;
  }
  // Float sums like 1.001 * 1000 drift (1000.9999999999999); Go works in whole
  // nanoseconds, so round to the nanosecond.
  return Math.round(total * 1e6) / 1e6;
}

function invalid(value: string, what: string): VaultletError {
  return new VaultletError(
    "INVALID_DURATION",
    `${what}: "${value}" is not a duration; use Go syntax like "30s", "5m", "1h30m" or a number of seconds`,
  );
}

/** Go's time.Duration.String() for whole milliseconds and up, e.g. 1h30m0s. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? "-" : ""}${trimNumber(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = trimNumber(rest / 1000);
  let out = "";
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${s}s`;
  return (neg ? "-" : "") + out;
}

function trimNumber(n: number): string {
  return String(Number(n.toFixed(9)));
}
