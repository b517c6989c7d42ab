/**
 * The demo prints rendered secret files, never their secret values: a value
 * whose name looks secret is replaced by its length and a short SHA-256
 * fingerprint, enough to see that it changed.
 */
import { createHash } from "node:crypto";

const SECRET_NAME = /pass|secret|token|key|credential/i;

export function fingerprint(value: string): string {
  const digest = createHash("sha256").update(value).digest("hex").slice(0, 8);
  return `<hidden: ${value.length} chars, sha256 ${digest}>`;
}

/** KEY=VALUE lines: values of secret-looking keys are hidden. */
export function maskEnvFile(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const eq = line.indexOf("=");
      if (eq <= 0) return line;
      const key = line.slice(0, eq);
      return SECRET_NAME.test(key) ? `${key}=${fingerprint(line.slice(eq + 1))}` : line;
    })
    .join("\n");
}

/** A JSON object: string values of secret-looking keys are hidden, at any depth. */
export function maskJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fingerprint(text);
  }
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === "string") return SECRET_NAME.test(key) ? fingerprint(v) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return JSON.stringify(walk(parsed, ""), null, 2);
}
