import type { Counter, Registry } from "prom-client";
import CounterClass from "prom-client/lib/counter.js";
import Gauge from "prom-client/lib/gauge.js";
import RegistryClass from "prom-client/lib/registry.js";
import { registerProcessMetrics } from "./process-metrics.ts";

/**
 * The agent's Prometheus metrics, on a registry of its own (several agents
 * can live in one test process). prom-client's class modules, not its index:
 * the index loads its push gateway, hence node's TLS, about 2 MiB resident
 * in every sidecar that never pushes (test/bench/results/agent-memory.md). Labels carry secret paths, never parameters
 * (a `secret "transit/encrypt/k" "plaintext=..."` parameter may be a secret).
 */
export interface AgentMetrics {
  readonly registry: Registry;
  logins: Counter<"method" | "result">;
  tokenRenewals: Counter<"result">;
  leaseRenewals: Counter<"result">;
  fetches: Counter<"kind" | "result">;
  renders: Counter<"template">;
  renderErrors: Counter<"template">;
  /** seconds until the token expires (absent until the first login) */
  setTokenExpiry(expiresAt: number | undefined): void;
  /** seconds until a secret's lease (or certificate) ends; undefined removes it */
  setSecretExpiry(secret: string, expiresAt: number | undefined): void;
}

export function createAgentMetrics(now: () => number = Date.now): AgentMetrics {
  const registry = new RegistryClass();
  registerProcessMetrics(registry, "vaultlet_agent_process_");
  let tokenExpiresAt: number | undefined;
  const secretExpiry = new Map<string, number>();
  const secondsLeft = (at: number) => Math.max(0, (at - now()) / 1000);

  new Gauge({
    name: "vaultlet_agent_token_expiry_seconds",
    help: "Seconds until the agent's Vault token expires",
    registers: [registry],
    collect() {
      this.reset();
      if (tokenExpiresAt !== undefined) this.set(secondsLeft(tokenExpiresAt));
    },
  });
  new Gauge({
    name: "vaultlet_agent_secret_expiry_seconds",
    help: "Seconds until each leased secret or certificate ends",
    labelNames: ["secret"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [secret, at] of secretExpiry) this.set({ secret }, secondsLeft(at));
    },
  });

  return {
    registry,
    logins: new CounterClass({
      name: "vaultlet_agent_logins_total",
      help: "Vault logins by auth method and result (success, failure)",
      labelNames: ["method", "result"],
      registers: [registry],
    }),
    tokenRenewals: new CounterClass({
      name: "vaultlet_agent_token_renewals_total",
      help: "Token renewals by result",
      labelNames: ["result"],
      registers: [registry],
    }),
    leaseRenewals: new CounterClass({
      name: "vaultlet_agent_lease_renewals_total",
      help: "Secret lease renewals by result",
      labelNames: ["result"],
      registers: [registry],
    }),
    fetches: new CounterClass({
      name: "vaultlet_agent_secret_fetches_total",
      help: "Secret fetches from Vault by kind (read, write, list, pki) and result",
      labelNames: ["kind", "result"],
      registers: [registry],
    }),
    renders: new CounterClass({
      name: "vaultlet_agent_renders_total",
      help: "Completed template renders by destination",
      labelNames: ["template"],
      registers: [registry],
    }),
    renderErrors: new CounterClass({
      name: "vaultlet_agent_render_errors_total",
      help: "Template render or write failures by destination",
      labelNames: ["template"],
      registers: [registry],
    }),
    setTokenExpiry(at) {
      tokenExpiresAt = at;
    },
    setSecretExpiry(secret, at) {
      if (at === undefined) secretExpiry.delete(secret);
      else secretExpiry.set(secret, at);
    },
  };
}
