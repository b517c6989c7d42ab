import { readFile } from "node:fs/promises";
import { describeError } from "../../shared/errors.ts";
import { list, type Finding } from "./findings.ts";
import type { DoctorVault } from "./vault.ts";

/**
 * The doctor for the methods that log in with a credential rather than a
 * JWT: approle (role_id and secret_id files) and token_file (a Vault token).
 * Vault answers every bad approle pair with the same "invalid role or secret
 * ID"; an operator's token (VAULT_TOKEN) that may read the roles tells which
 * half is wrong and why.
 */
export interface CredentialLogin {
  findings: Finding[];
  /** the token to check paths with, when the login worked */
  token?: string;
  policies: string[];
  ttlSeconds?: number;
  status?: number;
  /** approle: a token the doctor earned and must revoke; token_file: the user's own, kept */
  revoke: boolean;
}

export interface CredentialInput {
  mount: string;
  roleIdFile?: string;
  secretIdFile?: string;
  tokenFile: string;
  operatorToken?: string;
}

async function readCredential(file: string, what: string, key: string): Promise<string | Finding> {
  try {
    const text = (await readFile(file, "utf8")).trim();
    if (text !== "") return text;
    return {
      code: "CREDENTIAL_FILE_EMPTY",
      severity: "error",
      message: `the ${what} file ${file} is empty`,
      fix: `write the ${what} into it, or point ${key} at the right file`,
    };
  } catch (err) {
    return {
      code: "CREDENTIAL_FILE_UNREADABLE",
      severity: "error",
      message: `cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}`,
      fix: `check ${key} and that the file is there (mounted, written by your deployment tool)`,
    };
  }
}

export async function approleLogin(
  vault: DoctorVault,
  input: CredentialInput,
): Promise<CredentialLogin> {
  const roleId = await readCredential(input.roleIdFile ?? "", "role_id", "role_id_file_path");
  const secretId =
    input.secretIdFile === undefined
      ? undefined
      : await readCredential(input.secretIdFile, "secret_id", "secret_id_file_path");
  const unread = [roleId, secretId].filter((v): v is Finding => typeof v === "object");
  if (unread.length > 0) return { findings: unread, policies: [], revoke: false };
  const body: Record<string, string> = { role_id: roleId as string };
  if (typeof secretId === "string") body.secret_id = secretId;
  const login = await vault.call("POST", `${input.mount}/login`, { body });
  const auth = (login.body as { auth?: LoginAuth } | undefined)?.auth;
  if (login.status === 200 && auth?.client_token) {
    return {
      findings: [],
      token: auth.client_token,
      policies: auth.policies ?? [],
      ttlSeconds: auth.lease_duration,
      status: 200,
      revoke: true,
    };
  }
  const said = login.errors.join("; ") || `HTTP ${login.status}`;
  const findings: Finding[] = [];
  if (/missing secret_id/i.test(said)) {
    findings.push({
      code: "APPROLE_SECRET_ID_MISSING",
      severity: "error",
      message: `the role binds a secret ID but the config gives none (Vault says: ${said})`,
      fix: "set secret_id_file_path to a file holding a secret ID for this role",
    });
  } else if (/invalid role or secret id|invalid role id|invalid secret id/i.test(said)) {
    findings.push(...(await explainApprole(vault, input, body)));
  } else {
    findings.push({
      code: "LOGIN_REFUSED",
      severity: "error",
      message: `Vault refused the approle login at ${input.mount}: ${said}`,
    });
  }
  return { findings, policies: [], status: login.status, revoke: false };
}

interface LoginAuth {
  client_token: string;
  policies?: string[];
  lease_duration?: number;
}

/** With an operator's token: which role owns the role_id, and what Vault knows of the secret_id. */
async function explainApprole(
  vault: DoctorVault,
  input: CredentialInput,
  body: Record<string, string>,
): Promise<Finding[]> {
  const generic: Finding = {
    code: "APPROLE_CREDENTIALS_INVALID",
    severity: "error",
    message: `Vault says "invalid role or secret ID": the role_id (${input.roleIdFile}) or the secret_id (${input.secretIdFile ?? "none"}) is wrong, or the secret ID expired or ran out of uses`,
    fix: "set VAULT_TOKEN to a token that may list and read the approle roles, and the doctor tells which; or issue a new secret ID for the role",
  };
  if (!input.operatorToken) return [generic];
  const token = input.operatorToken;
  const roles = await vault.call("GET", `${input.mount}/role?list=true`, { token });
  const names = (roles.body as { data?: { keys?: string[] } } | undefined)?.data?.keys;
  if (roles.status !== 200 || !names) return [generic];
  for (const name of names) {
    const rid = await vault.call("GET", `${input.mount}/role/${name}/role-id`, { token });
    if ((rid.body as { data?: { role_id?: string } } | undefined)?.data?.role_id !== body.role_id)
      continue;
    if (body.secret_id === undefined) return [generic];
    const lookup = await vault.call("POST", `${input.mount}/role/${name}/secret-id/lookup`, {
      token,
      body: { secret_id: body.secret_id },
    });
    return [
      {
        code: "APPROLE_SECRET_ID_INVALID",
        severity: "error",
        message:
          lookup.status === 200
            ? `the role_id belongs to role "${name}", and Vault knows the secret ID, yet refuses it: its CIDR binding (secret_id_bound_cidrs / token_bound_cidrs) excludes this address, or its uses ran out`
            : `the role_id belongs to role "${name}", but Vault does not know the secret ID: it is wrong, expired (secret_id_ttl), used up (secret_id_num_uses) or was destroyed`,
        fix: `issue a new one: vault write -f ${input.mount}/role/${name}/secret-id, and write it to ${input.secretIdFile}`,
      },
    ];
  }
  return [
    {
      code: "APPROLE_ROLE_ID_UNKNOWN",
      severity: "error",
      message: `no role at ${input.mount} has the role_id in ${input.roleIdFile} (roles: ${list(names)})`,
      fix: `write the role's ID to the file: vault read ${input.mount}/role/NAME/role-id`,
    },
  ];
}

/** token_file: is the token alive, and will it stay so? The token is the user's: never revoked. */
export async function tokenFileLogin(
  vault: DoctorVault,
  input: CredentialInput,
): Promise<CredentialLogin> {
  const token = await readCredential(input.tokenFile, "token", "token_file_path");
  if (typeof token === "object") return { findings: [token], policies: [], revoke: false };
  const lookup = await vault.call("GET", "auth/token/lookup-self", { token });
  const data = (lookup.body as { data?: TokenData } | undefined)?.data;
  if (lookup.status !== 200 || !data) {
    return {
      findings: [
        {
          code: "TOKEN_NOT_VALID",
          severity: "error",
          message: `Vault does not accept the token in ${input.tokenFile} (HTTP ${lookup.status}): it expired, was revoked, or was revoked with its parent (a token dies with the token that created it unless it is an orphan)`,
          fix: "write a new token to the file; for a long-lived agent, create it as an orphan with a period (vault token create -orphan -period=24h -policy=...)",
        },
      ],
      policies: [],
      status: lookup.status,
      revoke: false,
    };
  }
  return {
    findings: tokenLifeFindings(data),
    token,
    policies: data.policies ?? [],
    ttlSeconds: data.ttl,
    status: 200,
    revoke: false,
  };
}

interface TokenData {
  policies?: string[];
  ttl?: number;
  renewable?: boolean;
  orphan?: boolean;
  period?: number;
  explicit_max_ttl?: number;
}

function tokenLifeFindings(data: TokenData): Finding[] {
  const out: Finding[] = [];
  const ttl = data.ttl ?? 0;
  if (ttl > 0 && !data.renewable) {
    out.push({
      code: "TOKEN_NOT_RENEWABLE",
      severity: "warning",
      message: `the token is not renewable and ends in ${ttl}s; the agent cannot keep it alive`,
      fix: "use a renewable (or periodic) token",
    });
  }
  if (ttl > 0 && !data.orphan) {
    out.push({
      code: "TOKEN_NOT_ORPHAN",
      severity: "warning",
      message:
        "the token is not an orphan: revoking the token that created it revokes this one too",
      fix: "create it with -orphan (or from a token role with orphan=true)",
    });
  }
  return out;
}
