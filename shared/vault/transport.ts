/**
 * One HTTP exchange with Vault over a keep-alive connection pool (node:http or
 * node:https with the client's TLS settings). No retries and no Vault
 * semantics here: the status and body text, or a VaultRequestError.
 */
import type * as Http from "node:http";
import type * as Https from "node:https";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  VAULT_ERROR_CODES,
  VaultError,
  VaultRequestError,
  describeTransportError,
  isTlsErrno,
} from "./errors.ts";

// Taken from the builtin registry, not imported: an ESM import of node:http
// evaluates every export of its facade, including getters that load node's
// bundled fetch client, about 15 ms of every agent's start-up.
const http: typeof Http = process.getBuiltinModule("node:http");
const https = (): typeof Https => process.getBuiltinModule("node:https");

export interface TlsOptions {
  /** PEM file with the CA certificate(s) that sign Vault's certificate */
  caCert?: string;
  /** directory of PEM CA certificates */
  caPath?: string;
  /** PEM client certificate and key files, for cert auth / mutual TLS */
  clientCert?: string;
  clientKey?: string;
  /** name to verify Vault's certificate against (SNI), when it differs from the address's host */
  tlsServerName?: string;
  /** do not verify Vault's certificate (never in production) */
  tlsSkipVerify?: boolean;
}

export interface Exchange {
  method: string;
  /** path and query below the address, e.g. /v1/sys/health?standbyok=true */
  target: string;
  /** path below /v1/ without query, for errors */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface ExchangeResult {
  status: number;
  body: string;
}

const MAX_SOCKETS = 32;

function readFile(what: string, file: string, address: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new VaultError(
      VAULT_ERROR_CODES.config,
      `cannot read the Vault ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      { method: "", path: "", address },
      { cause: err },
    );
  }
}

function caBundle(tls: TlsOptions, address: string): string[] | undefined {
  const pems: string[] = [];
  if (tls.caCert) pems.push(readFile("CA certificate", tls.caCert, address));
  if (tls.caPath) {
    let names: string[];
    try {
      names = readdirSync(tls.caPath);
    } catch (err) {
      throw new VaultError(
        VAULT_ERROR_CODES.config,
        `cannot read the Vault CA directory ${tls.caPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        { method: "", path: "", address },
        { cause: err },
      );
    }
    for (const name of names.sort()) {
      const file = join(tls.caPath, name);
      if (statSync(file).isFile()) pems.push(readFile("CA certificate", file, address));
    }
  }
  return pems.length ? pems : undefined;
}

export class Transport {
  readonly address: string;
  private readonly url: URL;
  private readonly agent: Http.Agent;
  private readonly request: typeof Http.request;

  constructor(address: string, tls: TlsOptions = {}) {
    let url: URL;
    try {
      url = new URL(address);
    } catch (err) {
      throw new VaultError(
        VAULT_ERROR_CODES.config,
        `the Vault address "${address}" is not a URL; write it like https://vault.example.com:8200`,
        { method: "", path: "", address },
        { cause: err },
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new VaultError(
        VAULT_ERROR_CODES.config,
        `the Vault address "${address}" must start with http:// or https://`,
        { method: "", path: "", address },
      );
    }
    this.url = url;
    this.address = address.replace(/\/+$/, "");
    if (url.protocol === "https:") {
      const ca = caBundle(tls, this.address);
      this.agent = new (https().Agent)({
        keepAlive: true,
        maxSockets: MAX_SOCKETS,
        ...(ca ? { ca } : {}),
        ...(tls.clientCert
          ? { cert: readFile("client certificate", tls.clientCert, this.address) }
          : {}),
        ...(tls.clientKey ? { key: readFile("client key", tls.clientKey, this.address) } : {}),
        ...(tls.tlsServerName ? { servername: tls.tlsServerName } : {}),
        rejectUnauthorized: !tls.tlsSkipVerify,
      });
      this.request = https().request;
    } else {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
      this.request = http.request;
    }
  }

  /** Send one request; resolves with any status, rejects only when no answer came. */
  send(ex: Exchange): Promise<ExchangeResult> {
    const base = this.url.pathname.replace(/\/+$/, "");
    const where = { method: ex.method, path: ex.path, address: this.address };
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: VaultRequestError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      const req = this.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname.replace(/^\[|\]$/g, ""),
          port: this.url.port || undefined,
          method: ex.method,
          path: base + ex.target,
          headers: {
            ...ex.headers,
            ...(ex.body !== undefined
              ? { "Content-Length": String(Buffer.byteLength(ex.body)) }
              : {}),
          },
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
          });
          res.on("error", (err) => fail(this.transportError(err, where)));
        },
      );
      const timer = setTimeout(() => {
        fail(
          new VaultRequestError(
            VAULT_ERROR_CODES.timeout,
            `Vault at ${this.address} did not answer ${ex.method} /v1/${ex.path} within ${ex.timeoutMs} ms`,
            where,
          ),
        );
        req.destroy();
      }, ex.timeoutMs);
      req.on("error", (err) => fail(this.transportError(err, where)));
      if (ex.body !== undefined) req.write(ex.body);
      req.end();
    });
  }

  private transportError(
    err: unknown,
    where: { method: string; path: string; address: string },
  ): VaultRequestError {
    const errno = (err as NodeJS.ErrnoException).code;
    if (isTlsErrno(errno)) {
      return new VaultRequestError(
        VAULT_ERROR_CODES.tls,
        `TLS with Vault at ${this.address} failed: ${describeTransportError(errno, err)}`,
        { ...where, errno },
        { cause: err },
      );
    }
    return new VaultRequestError(
      VAULT_ERROR_CODES.unavailable,
      `cannot reach Vault at ${this.address}: ${describeTransportError(errno, err)}`,
      { ...where, errno },
      { cause: err },
    );
  }

  /** Close idle connections; in-flight requests finish. */
  close(): void {
    this.agent.destroy();
  }
}
