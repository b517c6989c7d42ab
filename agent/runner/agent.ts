import type { AgentConfig } from "../../shared/agent-config/types.ts";
import { describeError, VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { AuthCalls } from "../auth/calls.ts";
import { AuthManager } from "../auth/manager.ts";
import { createLoginMethod } from "../auth/methods.ts";
import { createSinks } from "../auth/sinks.ts";
import type { AgentMetrics } from "../ops/metrics.ts";
import { startOpsServer, type OpsServer } from "../ops/server.ts";
import type { SecretCalls } from "../secrets/calls.ts";
import { DEFAULT_RETRIES, SecretsStore } from "../secrets/store.ts";
import type { Random } from "../timing/jitter.ts";
import { AgentRunner, type Engines } from "./runner.ts";
import { loadEngines } from "./engines.ts";
import { createVaultCalls } from "./vault-calls.ts";

export const AGENT_CONFIG_INCOMPLETE = "AGENT_CONFIG_INCOMPLETE";
/**
 * No wait before the first login unless the config asks for one: a pod's app
 * waits for the first render, and retries are jittered anyway. Fleets started
 * in lockstep set vaultlet { startup_jitter }.
 */
export const DEFAULT_STARTUP_JITTER_MS = 0;

export interface AgentOptions {
  log: Logger;
  /** default: the engines the config's templates use */
  engines?: Engines;
  /** Vault calls; default HTTP calls to config.vault.address */
  calls?: AuthCalls & SecretCalls;
  env?: Readonly<Record<string, string | undefined>>;
  startupJitterMs?: number;
  random?: Random;
  /** called with the agent's parts once built (tests and embedding read metrics, state) */
  onCreated?: (agent: Agent) => void;
}

export interface Agent {
  runner: AgentRunner;
  /** Prometheus metrics; once mode keeps none (nothing serves them) */
  metrics: AgentMetrics | undefined;
  auth: AuthManager;
  store: SecretsStore;
  ops: OpsServer | undefined;
  /** settles with the error that must stop the agent (exit_on_retry_failure, once mode) */
  fatal: Promise<VaultletError>;
  /** close the ops endpoint and Vault connections */
  close(): Promise<void>;
}

/** Builds the agent's parts from its config and opens the ops endpoint. */
export async function createAgent(config: AgentConfig, opts: AgentOptions): Promise<Agent> {
  const once = config.exit_after_auth;
  const method = config.auto_auth?.method;
  if (!method) {
    throw new VaultletError(
      AGENT_CONFIG_INCOMPLETE,
      "auto_auth.method is required: the agent logs in with it (kubernetes, jwt, approle or token_file)",
    );
  }
  const { log } = opts;
  const owned = opts.calls ? undefined : createVaultCalls(config.vault);
  const calls = opts.calls ?? owned!;
  // once mode never serves /metrics: skip loading prom-client, about 15 ms of a run
  const metrics = once ? undefined : (await import("../ops/metrics.ts")).createAgentMetrics();
  let fail!: (err: VaultletError) => void;
  const fatal = new Promise<VaultletError>((resolve) => (fail = resolve));
  const auth = new AuthManager({
    method: createLoginMethod(method),
    calls,
    sinks: createSinks(config.auto_auth?.sinks ?? []),
    log,
    metrics,
    minBackoffMs: method.min_backoff,
    maxBackoffMs: method.max_backoff,
    exitOnErr: method.exit_on_err,
    failOnRejectedLogin: once,
    onFatal: (err) => fail(err),
    random: opts.random,
  });
  const tc = config.template_config ?? {};
  const store = new SecretsStore({
    calls,
    tokens: auth,
    log,
    metrics,
    schedule: {
      staticIntervalMs: tc.static_secret_render_interval,
      leaseRenewalThreshold: tc.lease_renewal_threshold,
    },
    retries: config.vault?.retry?.num_retries,
    exitOnRetryFailure: tc.exit_on_retry_failure,
    failFast: once,
    onFatal: fail,
    random: opts.random,
  });
  const runner = new AgentRunner({
    config,
    auth,
    store,
    engines: opts.engines ?? (await loadEngines(config)),
    log,
    metrics,
    env: opts.env,
    startupJitterMs:
      opts.startupJitterMs ?? config.vaultlet?.startup_jitter ?? DEFAULT_STARTUP_JITTER_MS,
    waitForSecrets: !once && !tc.exit_on_retry_failure,
    random: opts.random,
    renderRetries: tc.exit_on_retry_failure
      ? (config.vault?.retry?.num_retries ?? DEFAULT_RETRIES)
      : undefined,
    onFatal: fail,
  });
  // As Vault Agent: no port unless the config asks for one (the webhook does)
  const listen = config.vaultlet?.listen ?? "";
  let ops: OpsServer | undefined;
  if (listen !== "" && metrics) {
    ops = await startOpsServer(listen, { ready: () => runner.ready, healthy: () => true }, metrics);
    log.info({ listen: ops.address }, "ops endpoint listening");
  }
  const close = async () => {
    await ops?.close();
    owned?.close();
  };
  return { runner, metrics, auth, store, ops, fatal, close };
}

/**
 * Runs the agent to its end: once mode renders and returns 0, sidecar mode
 * serves until `stop` settles. A failure returns 1 with the reason logged.
 */
export async function runAgent(
  config: AgentConfig,
  opts: AgentOptions,
  stop: Promise<unknown>,
): Promise<number> {
  const { log } = opts;
  let agent: Agent | undefined;
  try {
    agent = await createAgent(config, opts);
    const a = agent;
    opts.onCreated?.(a);
    const failed = a.fatal.then((err) => {
      throw err;
    });
    const stopped = stop.then(() => "stopped" as const);
    const started = await Promise.race([
      a.runner.start().then(() => "started" as const),
      failed,
      stopped,
    ]);
    if (started === "stopped") {
      await a.runner.shutdown();
      if (!config.exit_after_auth) return 0;
      // once mode promised rendered files; an interrupted run must not look done
      log.error("stopped before every template was rendered");
      return 1;
    }
    if (config.exit_after_auth) {
      log.info("once mode: every template rendered; exiting");
      await a.runner.shutdown();
      return 0;
    }
    return await Promise.race([a.runner.serve(stop), failed]);
  } catch (err) {
    log.error({ error: describeError(err) }, "agent failed");
    await agent?.runner.shutdown().catch(() => undefined);
    return 1;
  } finally {
    await agent?.close();
  }
}
