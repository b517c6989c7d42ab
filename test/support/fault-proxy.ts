/**
 * A loopback HTTP proxy in front of a real server that can answer the next
 * requests with a chosen status or drop their connection, then passes traffic
 * through again. For testing retries and error handling against real OpenBao:
 * everything not faulted reaches the real server untouched.
 *
 * Usage:
 *   const proxy = await startFaultProxy({ target: bao.address, t });
 *   proxy.failNext(2, 429);            // the next 2 requests get 429 with Vault's error shape
 *   proxy.dropNext(1);                 // the next request's connection is destroyed
 *   new VaultClient({ address: proxy.address, ... })
 *   proxy.requests                     // every request seen: { method, path, faulted }
 */
import { registerTeardown } from "./processes.ts";
import http from "node:http";
import type { TeardownContext } from "./openbao.ts";

export interface ProxiedRequest {
  method: string;
  /** path and query as sent */
  path: string;
  /** the status the proxy answered itself, "drop", or undefined when passed through */
  faulted: number | "drop" | undefined;
}

export interface FaultProxy {
  readonly address: string;
  readonly requests: ProxiedRequest[];
  failNext(count: number, status: number, errors?: string[]): void;
  dropNext(count: number): void;
  stop(): Promise<void>;
}

type Fault = { kind: "status"; status: number; errors: string[] } | { kind: "drop" };

export async function startFaultProxy(options: {
  target: string;
  t?: TeardownContext;
  autoTeardown?: boolean;
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const faults: Fault[] = [];
  const requests: ProxiedRequest[] = [];
  const upstream = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const fault = faults.shift();
    const record: ProxiedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      faulted: fault ? (fault.kind === "drop" ? "drop" : fault.status) : undefined,
    };
    requests.push(record);
    if (fault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault) {
      req.resume();
      res.writeHead(fault.status, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ errors: fault.errors }));
      return;
    }
    const forward = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent: upstream,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on("error", () => req.socket.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.unref();
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  let stopped = false;
  const proxy: FaultProxy = {
    address: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, status, errors = [`injected ${status}`]) {
      for (let i = 0; i < count; i++) faults.push({ kind: "status", status, errors });
    },
    dropNext(count) {
      for (let i = 0; i < count; i++) faults.push({ kind: "drop" });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      upstream.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  registerTeardown(() => proxy.stop(), options);
  return proxy;
}
