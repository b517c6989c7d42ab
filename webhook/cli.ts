import { hostname } from "node:os";
import { VaultletError } from "../shared/errors.ts";
import { createLogger, type Logger } from "../shared/log.ts";
import { injectPod } from "./mutate/inject.ts";
import { parseWebhookListen } from "./server/listen.ts";
import { startWebhookServer, type WebhookServer } from "./server/server.ts";
import { settingsFromEnvAndFlags, settingsUsage, type InjectorSettings } from "./settings.ts";
import { fileTlsSource } from "./tls/files.ts";
import { tlsMinVersion, type TlsSource } from "./tls/material.ts";

const USAGE = `usage: vaultlet webhook [settings]

Runs the mutating admission webhook over HTTPS: POST /mutate, GET /health/ready,
GET /healthz and the Prometheus metrics (AGENT_INJECT_TELEMETRY_PATH, default /metrics).
TLS comes from -tls-cert-file/-tls-key-file (reloaded on change) or, with
-tls-auto=WEBHOOK_CONFIG_NAME and -tls-auto-hosts, is managed automatically.
SIGTERM stops accepting connections, finishes requests in flight, exits 0.

`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE + settingsUsage());
    return 0;
  }
  const settings = settingsFromEnvAndFlags(process.env, argv);
  const logger = createLogger({
    level: settings.logLevel,
    format: "json",
    name: "vaultlet-webhook",
  });
  // handlers first: a SIGTERM as soon as the port is open must still end in a clean exit
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const server = await runWebhook(settings, logger);
  const signal = await stopped;
  logger.info({ signal }, "shutting down: finishing requests in flight");
  await server.close();
  logger.flush();
  return 0;
}

/** Starts the webhook from validated settings; the caller owns shutdown. */
export async function runWebhook(
  settings: InjectorSettings,
  logger: Logger,
): Promise<WebhookServer> {
  if (settings.vaultAddress === "") {
    throw new VaultletError(
      "USAGE",
      "the Vault address is required: set AGENT_INJECT_VAULT_ADDR or -vault-address=https://vault:8200",
    );
  }
  const { host, port } = parseWebhookListen(settings.listen);
  const minVersion = tlsMinVersion(settings.tlsMinVersion);
  return startWebhookServer({
    settings,
    inject: injectPod,
    tls: await tlsSourceFor(settings, logger),
    logger,
    host,
    port,
    ...(minVersion ? { minVersion } : {}),
    ...(settings.telemetryPath ? { metricsPath: settings.telemetryPath } : {}),
  });
}

async function tlsSourceFor(settings: InjectorSettings, logger: Logger): Promise<TlsSource> {
  if (settings.tlsAuto !== "") {
    if (settings.tlsAutoHosts.length === 0) {
      throw new VaultletError(
        "USAGE",
        "automatic TLS needs the service's DNS names: set AGENT_INJECT_TLS_AUTO_HOSTS (comma-separated)",
      );
    }
    if (settings.namespace === "") {
      throw new VaultletError(
        "USAGE",
        "automatic TLS needs the injector's namespace: set NAMESPACE (the downward API's metadata.namespace)",
      );
    }
    return (await import("./tls/auto-start.ts")).startAutoTls({
      namespace: settings.namespace,
      webhookConfigName: settings.tlsAuto,
      hosts: settings.tlsAutoHosts,
      useLeaderElection: settings.useLeaderElector,
      identity: process.env["POD_NAME"] || hostname(),
      logger,
    });
  }
  if (settings.tlsCertFile === "" || settings.tlsKeyFile === "") {
    throw new VaultletError(
      "USAGE",
      "no TLS configured: set AGENT_INJECT_TLS_CERT_FILE and AGENT_INJECT_TLS_KEY_FILE, or AGENT_INJECT_TLS_AUTO and AGENT_INJECT_TLS_AUTO_HOSTS",
    );
  }
  return fileTlsSource({ certFile: settings.tlsCertFile, keyFile: settings.tlsKeyFile, logger });
}
