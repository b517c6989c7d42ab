import type { Dependency } from "../template/types.ts";
import type { KvMount, SecretCalls, VaultResponse } from "./calls.ts";
import { kvV2Path, splitQuery } from "./kv-path.ts";

/**
 * Turns a dependency into its Vault request: reads and lists under a KV v2
 * mount go through `data/` and `metadata/`; `k=v` arguments become the body
 * of a write. Mount detection is remembered per mount (and "not KV" per
 * path) for the agent's life, so a new token never repeats it; a failed
 * detection is not remembered.
 */
export class SecretRequests {
  readonly #calls: SecretCalls;
  readonly #kvMounts: KvMount[] = [];
  readonly #notKv = new Set<string>();

  constructor(calls: SecretCalls) {
    this.#calls = calls;
  }

  async send(dep: Dependency, token: string): Promise<VaultResponse> {
    const calls = this.#calls;
    switch (dep.kind) {
      case "secret.read": {
        const { path, query } = splitQuery(dep.path);
        const params = [...query, ...dep.params.map(([k, v]) => [k, v] as [string, string])];
        const mount = await this.#kvMount(token, path);
        const target = mount?.version === 2 ? kvV2Path(path, mount.path, "data") : path;
        return calls.read(token, target, params);
      }
      case "secret.list": {
        const mount = await this.#kvMount(token, dep.path);
        const target = mount?.version === 2 ? kvV2Path(dep.path, mount.path, "metadata") : dep.path;
        return calls.list(token, target);
      }
      case "secret.write":
      case "pki.cert":
        return calls.write(token, dep.path, Object.fromEntries(dep.params));
    }
  }

  async #kvMount(token: string, path: string): Promise<KvMount | undefined> {
    const known = this.#kvMounts.find((m) => path === m.path || path.startsWith(`${m.path}/`));
    if (known) return known;
    if (this.#notKv.has(path)) return undefined;
    const found = await this.#calls.kvMount(token, path);
    if (found) {
      this.#kvMounts.push({ path: found.path.replace(/^\/+|\/+$/g, ""), version: found.version });
    } else {
      this.#notKv.add(path);
    }
    return found;
  }
}
