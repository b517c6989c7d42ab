/**
 * prom-client's class modules, imported one by one by the webhook and the
 * agent: its index also loads the default process metrics, the summary's
 * digest, the push gateway (with node's https, hence TLS, and zlib) and the
 * cluster aggregator, which neither program uses and would hold in memory.
 * The package publishes types for its index only.
 */
declare module "prom-client/lib/registry.js" {
  import type { Registry } from "prom-client";
  const RegistryClass: typeof Registry;
  export default RegistryClass;
}
declare module "prom-client/lib/counter.js" {
  import type { Counter } from "prom-client";
  const CounterClass: typeof Counter;
  export default CounterClass;
}
declare module "prom-client/lib/gauge.js" {
  import type { Gauge } from "prom-client";
  const GaugeClass: typeof Gauge;
  export default GaugeClass;
}
declare module "prom-client/lib/histogram.js" {
  import type { Histogram } from "prom-client";
  const HistogramClass: typeof Histogram;
  export default HistogramClass;
}
