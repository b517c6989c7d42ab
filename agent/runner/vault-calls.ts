import type { VaultStanza } from "../../shared/agent-config/types.ts";
import { VaultClient, type VaultClientOptions } from "../../shared/vault/index.ts";
import type { AuthCalls, TokenLookup } from "../auth/calls.ts";
import type { KvMount, SecretCalls, VaultResponse } from "../secrets/calls.ts";

/** clients kept per token: the current token, the one it replaces, and a candidate being checked */
const MAX_CLIENTS = 3;

export interface VaultCalls extends AuthCalls, SecretCalls {
  /** close every connection */
  close(): void;
}

/**
 * The agent's Vault calls over the shared client. The client holds one token,
 * so each token gets its own client (tokens change only at login; old ones
 * are closed), which keeps every call bound to the token it was made with.
 */
export function createVaultCalls(
  vault: VaultStanza | undefined,
  extra: Partial<VaultClientOptions> = {},
): VaultCalls {
  const options: VaultClientOptions = {
    address: vault?.address ?? process.env["VAULT_ADDR"] ?? "https://127.0.0.1:8200",
    namespace: vault?.namespace,
    timeoutMs: vault?.timeout,
    caCert: vault?.ca_cert,
    caPath: vault?.ca_path,
    clientCert: vault?.client_cert,
    clientKey: vault?.client_key,
    tlsServerName: vault?.tls_server_name,
    tlsSkipVerify: vault?.tls_skip_verify,
    ...extra,
  };
  const anonymous = new VaultClient(options);
  const byToken = new Map<string, VaultClient>();

  function client(token: string): VaultClient {
    let c = byToken.get(token);
    if (c) {
      // most recently used last, so eviction drops the oldest token's client
      byToken.delete(token);
      byToken.set(token, c);
      return c;
    }
    c = new VaultClient({ ...options, token });
    byToken.set(token, c);
    while (byToken.size > MAX_CLIENTS) {
      const [oldest, old] = byToken.entries().next().value!;
      byToken.delete(oldest);
      old.close();
    }
    return c;
  }

  return {
    login: (mountPath, body, namespace) =>
      anonymous.login(mountPath, body, namespace ? { namespace } : {}),
    renewSelf: (token, incrementSeconds) => client(token).tokenRenewSelf(incrementSeconds * 1000),
    async lookupSelf(token): Promise<TokenLookup> {
      const d = await client(token).tokenLookupSelf();
      return { ttl: d.ttl, renewable: d.renewable, accessor: d.accessor };
    },
    revokeSelf: (token) => client(token).tokenRevokeSelf(),
    read: (token, path, query) => client(token).read(path, query) as Promise<VaultResponse>,
    async write(token, path, body) {
      return ((await client(token).write(path, body)) ?? {}) as VaultResponse;
    },
    list: (token, path) => client(token).list(path) as Promise<VaultResponse>,
    async kvMount(token, path): Promise<KvMount | undefined> {
      const info = await client(token).mountInfo(path);
      if (info.type !== "kv" || !info.mount) return undefined;
      return { path: info.mount.replace(/^\/+|\/+$/g, ""), version: info.kvVersion };
    },
    renewLease: (token, leaseId, incrementSeconds) =>
      client(token).leaseRenew(leaseId, incrementSeconds * 1000) as Promise<VaultResponse>,
    revokeLease: (token, leaseId) => client(token).leaseRevoke(leaseId),
    close() {
      anonymous.close();
      for (const c of byToken.values()) c.close();
      byToken.clear();
    },
  };
}
