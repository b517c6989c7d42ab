import { VaultletError } from "../../shared/errors.ts";
import type { VaultAnswer } from "./findings.ts";

export const DOCTOR_VAULT_UNREACHABLE = "DOCTOR_VAULT_UNREACHABLE";
const REQUEST_TIMEOUT_MS = 15_000;

export interface VaultTarget {
  /** e.g. "https://vault.example:8200" */
  address: string;
  namespace?: string;
}

/**
 * One raw Vault API call that returns whatever Vault said, error statuses
 * included: the doctor's job is to read Vault's refusals, not to throw on
 * them. Only an unreachable server is an error.
 */
export async function vaultCall(
  target: VaultTarget,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<VaultAnswer> {
  const headers: Record<string, string> = { "X-Vault-Request": "true" };
  if (opts.token) headers["X-Vault-Token"] = opts.token;
  if (target.namespace) headers["X-Vault-Namespace"] = target.namespace;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const url = `${target.address.replace(/\/+$/, "")}/v1/${path.replace(/^\/+/, "")}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new VaultletError(
      DOCTOR_VAULT_UNREACHABLE,
      `cannot reach Vault at ${target.address} (${cause}); check the address (-vault-addr, VAULT_ADDR or vault.address) and the network`,
      { cause: err },
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const envelope = (body ?? {}) as { errors?: unknown; warnings?: unknown };
  return {
    status: res.status,
    errors: strings(envelope.errors),
    warnings: strings(envelope.warnings),
    body,
  };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
