import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../shared/log.ts";
import type { InjectorSettings } from "../settings.ts";
import type { TlsMaterial, TlsSource } from "../tls/material.ts";
import type { InjectFn } from "./admission.ts";
import { createAdmissionApp } from "./app.ts";
import { createWebhookMetrics, type WebhookMetrics } from "./metrics.ts";

/** The API server gives up on a webhook after at most 30 s; so do we. */
const REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_GRACE_MS = 25_000;
/**
 * Longer than the API server's idle-connection timeout (90 s): the client
 * then closes idle connections first, so it never sends on one the webhook
 * is closing, and a busy webhook does not pay a TLS handshake every few
 * seconds per connection (node's default is 5 s). Shutdown closes idle
 * connections itself.
 */
const KEEP_ALIVE_TIMEOUT_MS = 95_000;

export interface WebhookServerOptions {
  readonly settings: InjectorSettings;
  readonly inject: InjectFn;
  readonly tls: TlsSource;
  readonly logger: Logger;
  /** Omit (or empty) for every interface. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly minVersion?: "TLSv1.2" | "TLSv1.3";
  readonly maxBodyBytes?: number;
  readonly metricsPath?: string;
  readonly metrics?: WebhookMetrics;
}

export interface WebhookServer {
  readonly port: number;
  /** https://HOST:PORT with a loopback host when listening on every interface. */
  readonly url: string;
  readonly metrics: WebhookMetrics;
  /** True once real TLS material is served, false again once shutdown starts. */
  isReady(): boolean;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts the admission server over HTTPS. Certificate changes are applied
 * with setSecureContext, which affects new handshakes only: connections in
 * flight keep the context they were opened with, so nothing is dropped.
 * Until the TLS source has material (automatic TLS waiting for its leader)
 * a throwaway self-signed certificate lets health probes connect while
 * readiness reports 503.
 */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const metrics = opts.metrics ?? createWebhookMetrics();
  let tlsReady = false;
  let closing = false;
  const isReady = () => tlsReady && !closing;
  const app = createAdmissionApp({
    settings: opts.settings,
    inject: opts.inject,
    logger: opts.logger,
    metrics,
    isReady,
    isTlsReady: () => tlsReady,
    ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    ...(opts.metricsPath !== undefined ? { metricsPath: opts.metricsPath } : {}),
  });

  // Material may arrive before the server exists; it is applied once the server is created.
  const ref: { server?: Server } = {};
  const apply = (m: TlsMaterial) => {
    if (!ref.server) return;
    try {
      ref.server.setSecureContext(contextOptions(m, opts.minVersion));
      tlsReady = true;
    } catch (err) {
      opts.logger.error(
        { err: (err as Error).message },
        "new TLS certificate rejected; keeping the old one",
      );
    }
  };
  await opts.tls.start(apply);
  const first = opts.tls.current();
  tlsReady = first !== undefined;
  // node-forge is loaded only for this throwaway certificate (automatic TLS before its first pair)
  const initial =
    first ?? (await (await import("../tls/certs.ts")).generateCa({ validityMs: 3600_000 }));

  const srv = createServer({ ...contextOptions(initial, opts.minVersion) }, app);
  srv.requestTimeout = REQUEST_TIMEOUT_MS;
  srv.headersTimeout = REQUEST_TIMEOUT_MS / 2;
  srv.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  ref.server = srv;
  // Material that arrived while the server was being created.
  const latest = opts.tls.current();
  if (latest && latest !== initial) apply(latest);

  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(opts.port, opts.host || undefined, () => {
      srv.off("error", reject);
      resolve();
    });
  });
  srv.on("error", (err) => opts.logger.error({ err: err.message }, "webhook server error"));
  srv.on("tlsClientError", (err) =>
    opts.logger.debug({ err: err.message }, "TLS handshake failed"),
  );
  const port = (srv.address() as AddressInfo).port;
  const host =
    !opts.host || opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host;
  opts.logger.info({ port, host: opts.host || "*", tlsReady }, "webhook listening");

  let closed: Promise<void> | undefined;
  return {
    port,
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    metrics,
    isReady,
    close(graceMs = DEFAULT_GRACE_MS) {
      closed ??= (async () => {
        closing = true;
        const done = new Promise<void>((resolve) => srv.close(() => resolve()));
        // Keep-alive connections go idle once their request is answered: close them then.
        const sweep = setInterval(() => srv.closeIdleConnections(), 50);
        const force = setTimeout(() => srv.closeAllConnections(), graceMs);
        await done;
        clearInterval(sweep);
        clearTimeout(force);
        await opts.tls.stop();
        opts.logger.info("webhook stopped");
      })();
      return closed;
    },
  };
}

function contextOptions(m: TlsMaterial, minVersion: "TLSv1.2" | "TLSv1.3" | undefined) {
  return { cert: m.certPem, key: m.keyPem, minVersion: minVersion ?? "TLSv1.2" } as const;
}
