/**
 * prom-client's per-metric modules (what its collectDefaultMetrics calls one
 * by one); the package publishes no types for them.
 */
declare module "prom-client/lib/metrics/*" {
  import type { Registry } from "prom-client";
  const register: (registry: Registry, config: { prefix?: string }) => void;
  export default register;
}
