import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { VaultletError } from "../../shared/errors.ts";
import { parseListen } from "../../shared/listen.ts";
import { OPS_HEALTH_PATH, OPS_METRICS_PATH, OPS_READY_PATH } from "../../shared/ops.ts";
import type { AgentMetrics } from "./metrics.ts";

// from the builtin registry: see shared/vault/transport.ts
const { createServer } = process.getBuiltinModule("node:http");

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

/** `vaultlet.listen`: "host:port", "[v6]:port" or ":port" (every interface) */
export function parseOpsListen(listen: string): { host: string; port: number } {
  return parseListen(listen, {
    name: "vaultlet.listen",
    code: "OPS_LISTEN_INVALID",
    example: '"127.0.0.1:8201" or "" to turn it off',
  });
}

/** /ready (startup probe), /health (liveness), /metrics (Prometheus). */
export async function startOpsServer(
  listen: string,
  state: OpsState,
  metrics: AgentMetrics,
): Promise<OpsServer> {
  const { host, port } = parseOpsListen(listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === OPS_READY_PATH || path === OPS_HEALTH_PATH) {
      const ok = path === OPS_READY_PATH ? state.ready() : state.healthy();
      const body = JSON.stringify({
        status: ok ? "ok" : path === OPS_READY_PATH ? "not ready" : "unhealthy",
      });
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(body);
      return;
    }
    if (path === OPS_METRICS_PATH) {
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
        new VaultletError(
          "OPS_LISTEN_FAILED",
          `vaultlet.listen "${listen}": cannot listen (${(err as NodeJS.ErrnoException).code ?? err.message}); ` +
            `set vaultlet.listen to a free port, or remove it (or set "") to open no ops port`,
          { cause: err },
        ),
      ),
    );
    server.listen(port, host || undefined, () => resolve());
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
