import type { Finding } from "./findings.ts";
import type { DoctorReport } from "./run.ts";
import { roughDuration } from "./token-findings.ts";

const MARK: Record<Finding["severity"], string> = { error: "✗", warning: "!", info: "✓" };

/** The report as people read it. It holds claims and policies, never a token. */
export function formatReport(report: DoctorReport, now = report.input.now ?? new Date()): string {
  const { input, claims } = report;
  const lines: string[] = [`${credentialName(input.method)} file: ${input.tokenFile}`];
  if (input.secretIdFile) lines.push(`secret_id file: ${input.secretIdFile}`);
  if (claims) {
    lines.push(
      `  issuer:    ${claims.issuer ?? "(none)"}`,
      `  subject:   ${claims.subject ?? "(none)"}`,
      `  audience:  ${claims.audience.length ? claims.audience.join(", ") : "(none)"}`,
      `  expires:   ${expiryText(claims.expiresAt, now)}`,
    );
    if (claims.issuedAt) lines.push(`  issued:    ${claims.issuedAt.toISOString()}`);
    const k = claims.kubernetes;
    if (k) {
      lines.push(
        `  kubernetes: namespace ${k.namespace ?? "?"}, service account ${k.serviceAccount ?? "?"}${k.pod ? `, pod ${k.pod}` : ""}`,
      );
    }
  }
  section(lines, report.token);
  lines.push(
    input.method === "token_file"
      ? `token: ${input.address}/v1/auth/token/lookup-self (token_file)`
      : `login: ${input.address}/v1/${input.mount}/login${input.role ? `, role "${input.role}"` : ""} (${input.method})`,
  );
  if (report.login?.ok) {
    const ttl = report.login.ttlSeconds;
    lines.push(
      `  ${MARK.info} logged in; policies: ${report.login.policies.join(", ") || "(none)"}${ttl !== undefined ? `; token ttl ${roughDuration(ttl * 1000)}` : ""}`,
    );
  } else if (report.login) {
    lines.push(`  ${MARK.error} refused (HTTP ${report.login.status})`);
  } else if (report.loginFindings.length === 0) {
    lines.push("  not tried");
  }
  section(lines, report.loginFindings);
  if (report.role.length > 0) {
    lines.push(`role ${input.mount}/role/${input.role}:`);
    section(lines, report.role);
  }
  for (const p of report.paths) {
    lines.push(`read ${p.path}:`);
    section(lines, p.findings);
  }
  lines.push(report.ok ? "result: login works" : "result: problems found (see ✗ above)");
  return `${lines.join("\n")}\n`;
}

function credentialName(method: string): string {
  return method === "approle" ? "role_id" : "token";
}

function expiryText(expiresAt: Date | undefined, now: Date): string {
  if (!expiresAt) return "never (no exp claim)";
  const left = expiresAt.getTime() - now.getTime();
  return left > 0
    ? `${expiresAt.toISOString()} (in ${roughDuration(left)})`
    : `${expiresAt.toISOString()} (EXPIRED ${roughDuration(left)} ago)`;
}

function section(lines: string[], findings: Finding[]) {
  for (const f of findings) {
    lines.push(`  ${MARK[f.severity]} ${f.code}: ${f.message}`);
    if (f.fix) lines.push(`      fix: ${f.fix}`);
  }
}
