import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { createSecureContext } from "node:tls";
import { watch, type FSWatcher } from "chokidar";
import { VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { TlsMaterial, TlsSource } from "./material.ts";

/** Editors and kubelet write cert and key in separate steps; wait for both to settle. */
const DEFAULT_SETTLE_MS = 100;

export interface FileTlsOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly logger: Logger;
  readonly settleMs?: number;
}

/**
 * Serving certificate from a cert and key file, reloaded when either changes.
 * The directories are watched rather than the files: Kubernetes Secret
 * volumes swap a `..data` symlink, which a watch on the file itself misses.
 * A half-written pair (key not matching cert, unreadable PEM) keeps the old
 * material and is retried on the next change.
 */
export function fileTlsSource(opts: FileTlsOptions): TlsSource {
  let material: TlsMaterial | undefined;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  const reload = (onUpdate: (m: TlsMaterial) => void) => {
    let next: TlsMaterial;
    try {
      next = readPair(opts.certFile, opts.keyFile);
    } catch (err) {
      opts.logger.warn(
        { err: (err as Error).message },
        "TLS files changed but could not be loaded; keeping the old certificate",
      );
      return;
    }
    if (material && next.certPem === material.certPem && next.keyPem === material.keyPem) return;
    material = next;
    opts.logger.info({ certFile: opts.certFile }, "TLS certificate reloaded");
    onUpdate(next);
  };

  return {
    async start(onUpdate) {
      material = readPair(opts.certFile, opts.keyFile);
      const dirs = [...new Set([dirname(opts.certFile), dirname(opts.keyFile)])];
      watcher = watch(dirs, { ignoreInitial: true, depth: 1 });
      watcher.on("all", () => {
        clearTimeout(timer);
        timer = setTimeout(() => reload(onUpdate), opts.settleMs ?? DEFAULT_SETTLE_MS);
      });
      watcher.on("error", (err) =>
        opts.logger.warn({ err: String(err) }, "watching TLS files failed"),
      );
      await new Promise<void>((resolve) => watcher!.once("ready", () => resolve()));
    },
    current: () => material,
    async stop() {
      clearTimeout(timer);
      await watcher?.close();
    },
  };
}

function readPair(certFile: string, keyFile: string): TlsMaterial {
  const certPem = readPem(certFile, "certificate", "AGENT_INJECT_TLS_CERT_FILE");
  const keyPem = readPem(keyFile, "private key", "AGENT_INJECT_TLS_KEY_FILE");
  if (!certPem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new VaultletError("TLS_FILES", `${certFile} holds no PEM certificate`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) {
    throw new VaultletError("TLS_FILES", `${keyFile} holds no PEM private key`);
  }
  try {
    // Rejects a key that does not belong to the certificate (a pair caught mid-update).
    createSecureContext({ cert: certPem, key: keyPem });
  } catch (err) {
    throw new VaultletError(
      "TLS_FILES",
      `${certFile} and ${keyFile} are not a usable pair: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return { certPem, keyPem };
}

function readPem(file: string, what: string, setting: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new VaultletError(
      "TLS_FILES",
      `cannot read the TLS ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? "error"}): check ${setting} and the mounted Secret`,
      { cause: err },
    );
  }
}
