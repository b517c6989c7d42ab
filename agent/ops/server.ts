import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { VaultletError } from "../../shared/errors.ts";
import type { AgentMetrics } from "./metrics.ts";

// from the builtin registry: see shared/vault/transport.ts
const { createServer } = process.getBuiltinModule("node:http");

/** The agent's own endpoint; loopback by default, as it is only for probes and scraping. */
export const DEFAULT_OPS_LISTEN = "127.0.0.1:8201";

export interface OpsState {
  /** true once every template has been rendered and written once */
  ready(): boolean;
  /** false when the agent can no longer do its job (e.g. stopped) */
  healthy(): boolean;
}

export interface OpsServer {
  /** "host:port" actually bound (port 0 resolves to the real port) */
  readonly address: string;
  close(): Promise<void>;
}

/** parse "host:port", "[v6]:port" or ":port" (all interfaces) */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new VaultletError(
      "OPS_LISTEN_INVALID",
      `vaultlet.listen "${listen}" is not host:port; use e.g. "127.0.0.1:8201" or "" to turn it off`,
    );
  }
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}

/** /ready (startup probe), /health (liveness), /metrics (Prometheus). */
export async function startOpsServer(
  listen: string,
  state: OpsState,
  metrics: AgentMetrics,
): Promise<OpsServer> {
  const { host, port } = parseListen(listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/ready" || path === "/health") {
      const ok = path === "/ready" ? state.ready() : state.healthy();
      const body = JSON.stringify({
        status: ok ? "ok" : path === "/ready" ? "not ready" : "unhealthy",
      });
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(body);
      return;
    }
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"status":"not found"}');
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        new VaultletError("OPS_LISTEN_FAILED", `cannot listen on ${listen}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    address: `${shownHost}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
