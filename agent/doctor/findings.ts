/** One thing the doctor found: a stable code, what it means, and what to change. */
export interface Finding {
  code: string;
  severity: "error" | "warning" | "info";
  message: string;
  fix?: string;
}

/** What Vault answered to one request: status and its error and warning texts. */
export interface VaultAnswer {
  status: number;
  errors: string[];
  warnings: string[];
  /** the parsed body (never printed: it may hold a token or secret) */
  body?: unknown;
}

export function hasErrors(findings: Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

export function list(values: readonly string[]): string {
  return values.length === 0 ? "(none)" : values.map((v) => `"${v}"`).join(", ");
}
