import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import CounterClass from "prom-client/lib/counter.js";
import GaugeClass from "prom-client/lib/gauge.js";
import HistogramClass from "prom-client/lib/histogram.js";
import RegistryClass from "prom-client/lib/registry.js";

/**
 * The webhook's Prometheus metrics. Names follow the reference injector so
 * existing dashboards and alerts keep working after the switch; vaultlet's
 * own additions are named vaultlet_webhook_*.
 */
export const METRIC_NAMES = {
  inFlight: "vault_agent_injector_request_queue_length",
  duration: "vault_agent_injector_request_processing_duration_ms",
  injections: "vault_agent_injector_injections_by_namespace_total",
  failures: "vault_agent_injector_failed_injections_by_namespace_total",
  expired: "vaultlet_webhook_reviews_expired_total",
} as const;

/** Label used for failures, where no injection type was decided. */
export const UNKNOWN_INJECTION_TYPE = "unknown";

export interface WebhookMetrics {
  readonly registry: Registry;
  readonly inFlight: Gauge;
  readonly duration: Histogram;
  readonly injections: Counter<"namespace" | "injection_type">;
  readonly failures: Counter<"namespace" | "injection_type">;
  readonly expired: Counter;
}

/** A fresh registry per server, so tests and several servers never share counts. */
export function createWebhookMetrics(registry: Registry = new RegistryClass()): WebhookMetrics {
  const registers = [registry];
  return {
    registry,
    inFlight: new GaugeClass({
      name: METRIC_NAMES.inFlight,
      help: "Admission requests being processed right now",
      registers,
    }),
    duration: new HistogramClass({
      name: METRIC_NAMES.duration,
      help: "Time to answer an admission request, in milliseconds",
      buckets: [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000],
      registers,
    }),
    injections: new CounterClass({
      name: METRIC_NAMES.injections,
      help: "Pods injected with the agent, by namespace and injection type",
      labelNames: ["namespace", "injection_type"],
      registers,
    }),
    failures: new CounterClass({
      name: METRIC_NAMES.failures,
      help: "Pods whose injection was refused or failed, by namespace and injection type",
      labelNames: ["namespace", "injection_type"],
      registers,
    }),
    expired: new CounterClass({
      name: METRIC_NAMES.expired,
      help: "Admission reviews not run because their client's timeout passed while they were queued",
      registers,
    }),
  };
}
