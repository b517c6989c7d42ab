import { VaultletError } from "../../shared/errors.ts";
import type { VaultStanza } from "../../shared/agent-config/types.ts";
import type { AuthCalls, TokenLookup, VaultAuth } from "../auth/calls.ts";
import type { KvMount, SecretCalls, VaultResponse } from "../secrets/calls.ts";

export const VAULT_REQUEST_FAILED = "VAULT_REQUEST_FAILED";
const DEFAULT_TIMEOUT_MS = 60_000;

/** an answer from Vault other than success; `status` is the HTTP status (0: no answer) */
export class VaultCallError extends VaultletError {
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(VAULT_REQUEST_FAILED, message, options);
    this.status = status;
  }
}

/**
 * The agent's Vault calls over HTTP. Error messages carry the method, the
 * path and Vault's own error strings, never a token or a request body.
 */
export function createVaultCalls(vault: VaultStanza | undefined): AuthCalls & SecretCalls {
  const address = (vault?.address ?? process.env["VAULT_ADDR"] ?? "https://127.0.0.1:8200").replace(
    /\/+$/,
    "",
  );
  const namespace = vault?.namespace;
  const timeoutMs = vault?.timeout ?? DEFAULT_TIMEOUT_MS;

  async function call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    query: ReadonlyArray<readonly [string, string]> = [],
  ): Promise<VaultResponse | undefined> {
    const qs = query.length
      ? `?${new URLSearchParams(query.map(([k, v]) => [k, v])).toString()}`
      : "";
    const headers: Record<string, string> = { "X-Vault-Request": "true" };
    if (token) headers["X-Vault-Token"] = token;
    if (namespace) headers["X-Vault-Namespace"] = namespace;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${address}/v1/${path}${qs}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new VaultCallError(0, `${method} ${path}: no answer from Vault at ${address}`, {
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      let errors: string[] = [];
      try {
        const parsed = JSON.parse(text) as { errors?: unknown };
        if (Array.isArray(parsed.errors)) errors = parsed.errors.map(String);
      } catch {
        /* not JSON: keep only the status */
      }
      const detail = errors.length ? errors.join("; ") : res.statusText;
      throw new VaultCallError(
        res.status,
        `${method} ${path}: Vault answered ${res.status}: ${detail}`,
      );
    }
    return text ? (JSON.parse(text) as VaultResponse) : undefined;
  }

  function authOf(res: VaultResponse | undefined, path: string): VaultAuth {
    const auth = res?.auth as VaultAuth | undefined;
    if (!auth) throw new VaultCallError(200, `${path}: Vault's answer has no auth block`);
    return auth;
  }

  return {
    async login(mountPath, body) {
      return authOf(await call("PUT", `${mountPath}/login`, undefined, body), `${mountPath}/login`);
    },
    async renewSelf(token, increment) {
      return authOf(await call("PUT", "auth/token/renew-self", token, { increment }), "renew-self");
    },
    async lookupSelf(token): Promise<TokenLookup> {
      const d = ((await call("GET", "auth/token/lookup-self", token))?.data ?? {}) as Record<
        string,
        unknown
      >;
      return {
        ttl: Number(d["ttl"] ?? 0),
        renewable: Boolean(d["renewable"]),
        accessor: String(d["accessor"] ?? ""),
      };
    },
    async revokeSelf(token) {
      await call("POST", "auth/token/revoke-self", token);
    },
    async read(token, path, query) {
      return (await call("GET", path, token, undefined, query)) ?? {};
    },
    async write(token, path, body) {
      return (await call("PUT", path, token, body)) ?? {};
    },
    async list(token, path) {
      return (await call("LIST", path, token)) ?? {};
    },
    async kvMount(token, path): Promise<KvMount | undefined> {
      let res: VaultResponse | undefined;
      try {
        res = await call("GET", `sys/internal/ui/mounts/${path}`, token);
      } catch (err) {
        if (err instanceof VaultCallError && err.status === 404) return undefined;
        throw err;
      }
      const d = (res?.data ?? {}) as {
        type?: string;
        path?: string;
        options?: { version?: string } | null;
      };
      if (d.type !== "kv" || !d.path) return undefined;
      return {
        path: d.path.replace(/^\/+|\/+$/g, ""),
        version: d.options?.version === "2" ? 2 : 1,
      };
    },
    async renewLease(token, leaseId, increment) {
      return (await call("PUT", "sys/leases/renew", token, { lease_id: leaseId, increment })) ?? {};
    },
    async revokeLease(token, leaseId) {
      await call("PUT", "sys/leases/revoke", token, { lease_id: leaseId });
    },
  };
}
