import type { Dependency } from "../template/types.ts";
import type { KvMount, SecretCalls, VaultResponse } from "./calls.ts";
import { kindOf } from "./kinds/index.ts";

/**
 * Sends a dependency's Vault request (each kind's own, see ./kinds/), with
 * the KV mounts it needs. Mount detection is remembered per mount (and "not KV" per
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

  send(dep: Dependency, token: string): Promise<VaultResponse> {
    return kindOf(dep).request(dep, {
      calls: this.#calls,
      token,
      kvMount: (path) => this.#kvMount(token, path),
    });
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
