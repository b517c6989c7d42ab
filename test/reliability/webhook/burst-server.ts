import { createWriteStream } from "node:fs";
import { createLogger } from "../../../shared/log.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { startWebhookServer } from "../../../webhook/server/server.ts";
import { defaultSettings } from "../../../webhook/settings.ts";
import { fileTlsSource } from "../../../webhook/tls/files.ts";

/**
 * The real admission server in a child process started with --expose-gc
 * (burst.test.ts), so the burst measures the server's memory alone. Over
 * IPC: "memory" answers process.memoryUsage() after a full GC; "stop"
 * closes the server and exits 0. Logs go to LOG_FILE as JSON lines.
 */

const [certFile, keyFile, logFile] = process.argv.slice(2) as [string, string, string];
const destination = createWriteStream(logFile);
const logger = createLogger({ level: "debug", destination });
const server = await startWebhookServer({
  settings: { ...defaultSettings(), vaultAddress: "https://vault.vault.svc:8200" },
  inject: injectPod,
  tls: fileTlsSource({ certFile, keyFile, logger }),
  logger,
  host: "127.0.0.1",
  port: 0,
});

const gc = (globalThis as { gc?: () => void }).gc;
process.on("message", (m: { type: string }) => {
  if (m.type === "memory") {
    gc?.();
    gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    process.send?.({ type: "memory", heapUsed, rss, gc: gc !== undefined });
  } else if (m.type === "stop") {
    void server.close(2000).then(() => destination.end(() => process.exit(0)));
  }
});
process.send?.({ type: "listening", url: server.url });
