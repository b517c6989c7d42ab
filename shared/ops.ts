/**
 * The agent's ops endpoint, a contract between the programs: the webhook
 * points the native sidecar's startup probe at it, the agent serves it.
 * Health, readiness and metrics only, never secrets.
 */
export const OPS_PORT = 8201;
/** 200 once every template has been rendered and written once, 503 before */
export const OPS_READY_PATH = "/ready";
/** 200 while the agent can do its job */
export const OPS_HEALTH_PATH = "/health";
export const OPS_METRICS_PATH = "/metrics";
