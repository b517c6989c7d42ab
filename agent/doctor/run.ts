import { readFile } from "node:fs/promises";
import { describeError, VaultletError } from "../../shared/errors.ts";
import { readTokenClaims, type TokenClaims } from "./claims.ts";
import type { Finding, VaultAnswer } from "./findings.ts";
import { approleLogin, tokenFileLogin } from "./credentials.ts";
import { loginFindings } from "./login-findings.ts";
import { kvCounterpart, pathFindings, type MountInfo } from "./path-findings.ts";
import { roleFindings, type RoleConfig } from "./role-findings.ts";
import { tokenFindings } from "./token-findings.ts";
import {
  DOCTOR_VAULT_UNREACHABLE,
  openVault,
  type DoctorVault,
  type VaultTarget,
} from "./vault.ts";

export interface DoctorInput extends VaultTarget {
  /** "jwt", "kubernetes", "approle" or "token_file" */
  method: string;
  /** e.g. "auth/kubernetes" */
  mount: string;
  /** jwt and kubernetes; "" for approle and token_file */
  role: string;
  /** jwt/kubernetes: the JWT; token_file: the Vault token; approle: the role_id file */
  tokenFile: string;
  /** approle: the secret_id file, when the role binds one */
  secretIdFile?: string;
  /** paths to try reading with the new token */
  checkPaths: string[];
  /** an operator's Vault token (VAULT_TOKEN) that may read the role, to compare its bindings */
  operatorToken?: string;
  now?: Date;
}

export interface DoctorReport {
  input: DoctorInput;
  claims?: TokenClaims;
  token: Finding[];
  login?: { ok: boolean; status: number; policies: string[]; ttlSeconds?: number };
  loginFindings: Finding[];
  /** the role's bindings against the token's claims (needs operatorToken) */
  role: Finding[];
  paths: { path: string; findings: Finding[] }[];
  ok: boolean;
}

/**
 * Reads the token, logs in as the agent would, and explains what went
 * wrong. The token and the Vault token it earns stay in memory: neither is
 * printed, and the Vault token is revoked before the doctor returns.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const now = input.now ?? new Date();
  const report: DoctorReport = {
    input,
    token: [],
    loginFindings: [],
    role: [],
    paths: [],
    ok: false,
  };
  if (input.method === "approle" || input.method === "token_file") {
    return credentialDoctor(input, report);
  }
  let jwt: string;
  try {
    jwt = (await readFile(input.tokenFile, "utf8")).trim();
  } catch (err) {
    report.token.push({
      code: "TOKEN_FILE_UNREADABLE",
      severity: "error",
      message: `cannot read the token file ${input.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}`,
      fix: "check the path (kubernetes: token_path, default /var/run/secrets/kubernetes.io/serviceaccount/token; jwt: path) and that the volume is mounted",
    });
    return report;
  }
  try {
    report.claims = readTokenClaims(jwt);
  } catch (err) {
    const message = err instanceof VaultletError ? err.message : describeError(err);
    report.token.push({ code: "TOKEN_NOT_JWT", severity: "error", message });
    return report;
  }
  report.token.push(...tokenFindings(report.claims, input.method, now));
  const vault = openVault(input);
  try {
    await loginAndCheck(vault, input, jwt, report, now);
    if (!report.login?.ok) report.role = await compareRole(vault, input, report.claims);
  } catch (err) {
    // The claims are still worth printing when Vault cannot be reached.
    noteUnreachable(report, err);
    report.ok = false;
  } finally {
    vault.close();
  }
  return report;
}

async function loginAndCheck(
  vault: DoctorVault,
  input: DoctorInput,
  jwt: string,
  report: DoctorReport,
  now: Date,
): Promise<void> {
  const login = await vault.call("POST", `${input.mount}/login`, {
    body: { role: input.role, jwt },
  });
  const auth = (login.body as { auth?: LoginAuth } | undefined)?.auth;
  if (login.status !== 200 || !auth?.client_token) {
    report.login = { ok: false, status: login.status, policies: [] };
    const mountAnswers = await probeMount(vault, input, login);
    report.loginFindings = loginFindings(
      {
        method: input.method,
        mount: input.mount,
        role: input.role,
        claims: report.claims,
        now,
        mountAnswers,
      },
      login,
    );
    return;
  }
  report.login = {
    ok: true,
    status: login.status,
    policies: auth.policies ?? [],
    ttlSeconds: auth.lease_duration,
  };
  await checkPathsWith(vault, input, auth.client_token, report, true);
}

/** Reads every -check-path with the login's token; revokes the token when the doctor earned it. */
async function checkPathsWith(
  vault: DoctorVault,
  input: DoctorInput,
  token: string,
  report: DoctorReport,
  revoke: boolean,
): Promise<void> {
  try {
    for (const path of input.checkPaths) {
      report.paths.push({
        path,
        findings: await checkPath(vault, token, cleanPath(path), report.login?.policies ?? []),
      });
    }
  } finally {
    if (revoke) {
      await vault.call("POST", "auth/token/revoke-self", { token }).catch(() => undefined);
    }
  }
  report.ok = ![
    ...report.token,
    ...report.loginFindings,
    ...report.paths.flatMap((p) => p.findings),
  ].some((f) => f.severity === "error");
}

/** approle and token_file: the credential's findings, then the same path checks. */
async function credentialDoctor(input: DoctorInput, report: DoctorReport): Promise<DoctorReport> {
  const vault = openVault(input);
  try {
    const creds = {
      mount: input.mount,
      roleIdFile: input.tokenFile,
      ...(input.secretIdFile !== undefined ? { secretIdFile: input.secretIdFile } : {}),
      tokenFile: input.tokenFile,
      ...(input.operatorToken ? { operatorToken: input.operatorToken } : {}),
    };
    const login =
      input.method === "approle"
        ? await approleLogin(vault, creds)
        : await tokenFileLogin(vault, creds);
    report.loginFindings = login.findings;
    if (login.status !== undefined) {
      report.login = {
        ok: login.token !== undefined,
        status: login.status,
        policies: login.policies,
        ...(login.ttlSeconds !== undefined ? { ttlSeconds: login.ttlSeconds } : {}),
      };
    }
    if (login.token !== undefined) {
      await checkPathsWith(vault, input, login.token, report, login.revoke);
    }
  } catch (err) {
    noteUnreachable(report, err);
  } finally {
    vault.close();
  }
  return report;
}

interface LoginAuth {
  client_token: string;
  policies?: string[];
  lease_duration?: number;
}

/** Reads the role with the operator's token, when there is one, and compares its bindings. */
async function compareRole(
  vault: DoctorVault,
  input: DoctorInput,
  claims: TokenClaims,
): Promise<Finding[]> {
  const where = `${input.mount}/role/${input.role}`;
  if (!input.operatorToken) {
    return [
      {
        code: "ROLE_NOT_READ",
        severity: "info",
        message: `set VAULT_TOKEN to a token that may read ${where} to compare the role's bindings with the token`,
      },
    ];
  }
  const answer = await vault.call("GET", where, { token: input.operatorToken });
  if (answer.status === 200) {
    const data = (answer.body as { data?: RoleConfig }).data ?? {};
    return roleFindings(input.method, input.role, data, claims);
  }
  if (answer.status === 404) return [];
  return [
    {
      code: "ROLE_NOT_READABLE",
      severity: "info",
      message: `the VAULT_TOKEN given may not read ${where} (HTTP ${answer.status})`,
    },
  ];
}

/**
 * A bare "permission denied" at login is what Vault says both for a mount
 * that does not exist and for a refused TokenReview; an empty login tells
 * them apart, since an existing mount answers it with its own 400.
 */
async function probeMount(
  vault: DoctorVault,
  input: DoctorInput,
  login: VaultAnswer,
): Promise<boolean | undefined> {
  if (login.status !== 403) return undefined;
  const empty = await vault.call("POST", `${input.mount}/login`, { body: {} });
  return empty.status !== 403;
}

function cleanPath(path: string): string {
  return path.replace(/^\/+/, "").replace(/^v1\//, "").replace(/\/+$/, "");
}

async function checkPath(
  vault: DoctorVault,
  token: string,
  path: string,
  policies: string[],
): Promise<Finding[]> {
  const read = await vault.call("GET", path, { token });
  if (read.status === 200) return pathFindings({ path, read, policies });
  const mount = await lookupMount(vault, token, path);
  const candidates = [path];
  if (mount) {
    const other = kvCounterpart(path, mount);
    if (other) candidates.push(other);
    const prefix = mount.path;
    if (mount.version === "2" && path.startsWith(`${prefix}data/`)) {
      candidates.push(prefix + path.slice(`${prefix}data/`.length));
    }
  }
  const caps = await vault.call("POST", "sys/capabilities-self", {
    token,
    body: { paths: candidates },
  });
  const capabilities =
    caps.status === 200
      ? ((caps.body as { data?: Record<string, string[]> }).data ?? undefined)
      : undefined;
  return pathFindings({ path, read, mount, policies, capabilities });
}

async function lookupMount(
  vault: DoctorVault,
  token: string,
  path: string,
): Promise<MountInfo | undefined> {
  const answer = await vault.call("GET", `sys/internal/ui/mounts/${path}`, { token });
  if (answer.status !== 200) return undefined;
  const data = (
    answer.body as {
      data?: { path?: string; type?: string; options?: { version?: string } | null };
    }
  ).data;
  if (!data?.path || !data.type) return undefined;
  return { path: data.path, type: data.type, version: data.options?.version };
}

/** Vault out of reach is a finding of the report; anything else is rethrown. */
function noteUnreachable(report: DoctorReport, err: unknown): void {
  if (!(err instanceof VaultletError && err.code === DOCTOR_VAULT_UNREACHABLE)) throw err;
  report.loginFindings.push({ code: "VAULT_UNREACHABLE", severity: "error", message: err.message });
}
