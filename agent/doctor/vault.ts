import { VaultletError } from "../../shared/errors.ts";
import { parseJson } from "../../shared/json.ts";
import { Transport, type TlsOptions } from "../../shared/vault/transport.ts";
import type { VaultAnswer } from "./findings.ts";

export const DOCTOR_VAULT_UNREACHABLE = "DOCTOR_VAULT_UNREACHABLE";
const REQUEST_TIMEOUT_MS = 15_000;

export interface VaultTarget {
  /** e.g. "https://vault.example:8200" */
  address: string;
  namespace?: string;
  tls?: TlsOptions;
}

export interface DoctorVault {
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown },
  ): Promise<VaultAnswer>;
  close(): void;
}

/**
 * Raw Vault API calls that return whatever Vault said, error statuses
 * included: the doctor's job is to read Vault's refusals, not to throw on
 * them. Only an unreachable server (or failed TLS) is an error. No retries:
 * the doctor reports the first answer, as a user running it expects.
 */
export function openVault(target: VaultTarget): DoctorVault {
  const transport = new Transport(target.address, target.tls ?? {});
  return {
    async call(method, path, opts = {}) {
      const clean = path.replace(/^\/+/, "");
      const headers: Record<string, string> = { "X-Vault-Request": "true" };
      if (opts.token) headers["X-Vault-Token"] = opts.token;
      if (target.namespace) headers["X-Vault-Namespace"] = target.namespace;
      const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      if (body !== undefined) headers["Content-Type"] = "application/json";
      let res: { status: number; body: string };
      try {
        res = await transport.send({
          method,
          target: `/v1/${clean}`,
          path: clean,
          headers,
          body,
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new VaultletError(
          DOCTOR_VAULT_UNREACHABLE,
          `${why}; check the address (-vault-addr, VAULT_ADDR or vault.address), TLS settings and the network`,
          { cause: err },
        );
      }
      return answerOf(res.status, res.body);
    },
    close: () => transport.close(),
  };
}

function answerOf(status: number, text: string): VaultAnswer {
  let body: unknown;
  try {
    body = text ? parseJson(text) : undefined;
  } catch {
    body = undefined;
  }
  const envelope = (body ?? {}) as { errors?: unknown; warnings?: unknown };
  return { status, errors: strings(envelope.errors), warnings: strings(envelope.warnings), body };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
