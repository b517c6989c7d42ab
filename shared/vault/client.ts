/**
 * The Vault HTTP client both programs use.
 *
 *   const vault = new VaultClient({ address: "https://vault:8200", caCert: "/etc/ca.pem",
 *                                   timeoutMs: 30_000, retries: 2 });
 *   const auth = await vault.login("auth/kubernetes", { role: "web", jwt });
 *   vault.setToken(auth.client_token);          // same connection pool
 *   const secret = await vault.read("database/creds/app");
 *   vault.observe((e) => metrics.record(e));    // every HTTP exchange, retries included
 *
 * Every call sends X-Vault-Request: true, and X-Vault-Token / X-Vault-Namespace
 * when set. Calls retry with jitter on network errors, 412, 429 and 5xx but
 * 501; never on other 4xx. Failures are VaultError subclasses with stable
 * codes (./errors.ts); no token or request value ever appears in them.
 * Numbers under a read's `data` are JsonNumber (./json.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import {
  VAULT_ERROR_CODES,
  VaultError,
  VaultRequestError,
  VaultResponseError,
  codeForStatus,
  scrub,
  stringsIn,
} from "./errors.ts";
import { parseKeepingDataNumbers, parsePlain } from "./json.ts";
import { MountCache, NOT_KV_V2, mountInfoFrom } from "./kv.ts";
import { DEFAULT_RETRY, isRetryableStatus, retryDelayMs } from "./retry.ts";
import type { RetryPolicy } from "./retry.ts";
import { Transport } from "./transport.ts";
import type { ExchangeResult, TlsOptions } from "./transport.ts";
import type {
  LeaseRenewal,
  MountInfo,
  RequestObserver,
  TokenLookup,
  VaultAuth,
  VaultHealth,
  VaultResponse,
} from "./types.ts";

export const DEFAULT_TIMEOUT_MS = 60_000;

export interface VaultClientOptions extends TlsOptions {
  /** e.g. https://vault.example.com:8200 */
  address: string;
  token?: string;
  /** Vault Enterprise / OpenBao namespace sent as X-Vault-Namespace */
  namespace?: string;
  /** per attempt; default 60 s */
  timeoutMs?: number;
  /** retries after the first attempt; default 2 */
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** called after every HTTP exchange (see observe()) */
  onRequest?: RequestObserver;
}

/** Per-call settings that differ from the client's. */
export interface CallOptions {
  /** namespace for this call (e.g. an auth method's own namespace) */
  namespace?: string;
  /**
   * token for this call instead of the client's (same connection pool), for
   * callers that keep several tokens alive at once, e.g. during a handover
   */
  token?: string;
}

export type Query = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

interface Call {
  method: string;
  path: string;
  query?: Query;
  body?: unknown;
  /** send the client token (false for logins and health) */
  auth: boolean;
  /** keep written number text under `data` */
  keepNumbers: boolean;
  /** retries for this call (health asks once) */
  retries?: number;
  namespace?: string;
  token?: string;
}

function cleanPath(path: string): string {
  return path.replace(/^\/+/, "").replace(/^v1\//, "");
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams(
    Array.isArray(query)
      ? (query as Array<[string, string]>)
      : Object.entries(query as Record<string, string>),
  );
  const text = params.toString();
  return text ? `?${text}` : "";
}

function queryValues(query: Query | undefined): string[] {
  if (!query) return [];
  return Array.isArray(query)
    ? (query as Array<[string, string]>).map(([, v]) => v)
    : Object.values(query as Record<string, string>);
}

/** Go-style seconds for Vault's `increment`, from milliseconds. */
function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

export class VaultClient {
  readonly address: string;
  readonly namespace: string | undefined;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  #token: string | undefined;
  readonly #transport: Transport;
  readonly #observers = new Set<RequestObserver>();
  /** mount info per namespace ("" = the root or the client's own) */
  readonly #mounts = new Map<string, MountCache>();
  readonly #closing = new AbortController();

  constructor(options: VaultClientOptions) {
    this.#transport = new Transport(options.address, options);
    this.address = this.#transport.address;
    this.namespace = options.namespace || undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = {
      retries: options.retries ?? DEFAULT_RETRY.retries,
      baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
      maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    };
    this.#token = options.token || undefined;
    if (options.onRequest) this.#observers.add(options.onRequest);
  }

  /** Use another token from now on; connections are kept. */
  setToken(token: string | undefined): void {
    this.#token = token || undefined;
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** Watch every HTTP exchange (retries included). Returns a function that stops watching. */
  observe(observer: RequestObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** `PUT <mount>/login`; `mountPath` may be "auth/kubernetes" or "kubernetes". Sends no token. */
  async login(
    mountPath: string,
    body: Record<string, unknown>,
    opts: CallOptions = {},
  ): Promise<VaultAuth> {
    const mount = cleanPath(mountPath).replace(/\/+$/, "");
    const path = `${mount.startsWith("auth/") ? mount : `auth/${mount}`}/login`;
    const res = await this.call<VaultResponse>({
      method: "PUT",
      path,
      body,
      auth: false,
      keepNumbers: false,
      ...opts,
    });
    if (!res?.auth?.client_token)
      throw this.badResponse("PUT", path, "the login answer has no auth.client_token");
    return res.auth;
  }

  async tokenLookupSelf(opts: CallOptions = {}): Promise<TokenLookup> {
    const path = "auth/token/lookup-self";
    const res = await this.call<VaultResponse<TokenLookup>>({
      method: "GET",
      path,
      auth: true,
      keepNumbers: false,
      ...opts,
    });
    if (!res?.data) throw this.badResponse("GET", path, "the answer has no data");
    return res.data;
  }

  /** Renew the client token; `incrementMs` asks for that much more time (Vault may grant less). */
  async tokenRenewSelf(incrementMs?: number, opts: CallOptions = {}): Promise<VaultAuth> {
    const path = "auth/token/renew-self";
    const body = incrementMs === undefined ? {} : { increment: seconds(incrementMs) };
    const res = await this.call<VaultResponse>({
      method: "PUT",
      path,
      body,
      auth: true,
      keepNumbers: false,
      ...opts,
    });
    if (!res?.auth) throw this.badResponse("PUT", path, "the answer has no auth");
    return res.auth;
  }

  async tokenRevokeSelf(opts: CallOptions = {}): Promise<void> {
    await this.call({
      method: "POST",
      path: "auth/token/revoke-self",
      auth: true,
      keepNumbers: false,
      ...opts,
    });
  }

  /** `GET /v1/<path>[?query]`. */
  async read(path: string, query?: Query, opts: CallOptions = {}): Promise<VaultResponse> {
    const p = cleanPath(path);
    const res = await this.call<VaultResponse>({
      method: "GET",
      path: p,
      query,
      auth: true,
      keepNumbers: true,
      ...opts,
    });
    if (!res) throw this.badResponse("GET", p, "empty answer to a read");
    return res;
  }

  /** `PUT /v1/<path>` with a JSON body; undefined when Vault answers 204. */
  async write(
    path: string,
    body: Record<string, unknown> = {},
    opts: CallOptions = {},
  ): Promise<VaultResponse | undefined> {
    return this.call<VaultResponse>({
      method: "PUT",
      path: cleanPath(path),
      body,
      auth: true,
      keepNumbers: true,
      ...opts,
    });
  }

  /** LIST (as `GET ?list=true`); `data.keys` holds the names. */
  async list(path: string, opts: CallOptions = {}): Promise<VaultResponse<{ keys: string[] }>> {
    const p = cleanPath(path);
    const res = await this.call<VaultResponse<{ keys: string[] }>>({
      method: "GET",
      path: p,
      query: { list: "true" },
      auth: true,
      keepNumbers: true,
      ...opts,
    });
    if (!res) throw this.badResponse("LIST", p, "empty answer to a list");
    return res;
  }

  async delete(path: string, opts: CallOptions = {}): Promise<void> {
    await this.call({
      method: "DELETE",
      path: cleanPath(path),
      auth: true,
      keepNumbers: false,
      ...opts,
    });
  }

  async leaseRenew(
    leaseId: string,
    incrementMs?: number,
    opts: CallOptions = {},
  ): Promise<LeaseRenewal> {
    const path = "sys/leases/renew";
    const body: Record<string, unknown> = { lease_id: leaseId };
    if (incrementMs !== undefined) body.increment = seconds(incrementMs);
    const res = await this.call<LeaseRenewal>({
      method: "PUT",
      path,
      body,
      auth: true,
      keepNumbers: false,
      ...opts,
    });
    if (!res?.lease_id) throw this.badResponse("PUT", path, "the answer has no lease_id");
    return res;
  }

  async leaseRevoke(leaseId: string, opts: CallOptions = {}): Promise<void> {
    await this.call({
      method: "PUT",
      path: "sys/leases/revoke",
      body: { lease_id: leaseId },
      auth: true,
      keepNumbers: false,
      ...opts,
    });
  }

  /**
   * sys/health, asked once: any status Vault answers with is returned (sealed,
   * standby, uninitialised); only a failure to get an answer throws.
   */
  async health(): Promise<VaultHealth> {
    const path = "sys/health";
    const res = await this.exchange({ method: "GET", path, auth: false, keepNumbers: false }, 1);
    let body: Record<string, unknown>;
    try {
      body = parsePlain(res.body) as Record<string, unknown>;
    } catch {
      throw this.badResponse("GET", path, `status ${res.status} with a body that is not JSON`);
    }
    return {
      ...(body as Partial<VaultHealth>),
      status: res.status,
      initialized: body.initialized === true,
      sealed: body.sealed === true,
      standby: body.standby === true,
    };
  }

  /**
   * The mount holding `path` and its KV version, via sys/internal/ui/mounts.
   * Cached per mount; 404 means "not KV v2" (cached for that path); any other
   * failure throws and is asked again next time.
   */
  async mountInfo(path: string, opts: CallOptions = {}): Promise<MountInfo> {
    const p = cleanPath(path);
    const mounts = this.mountsFor(opts.namespace ?? this.namespace);
    const cached = mounts.get(p);
    if (cached) return cached;
    const detect = `sys/internal/ui/mounts/${p}`;
    let info: MountInfo;
    try {
      const res = await this.call<VaultResponse>({
        method: "GET",
        path: detect,
        auth: true,
        keepNumbers: false,
        ...opts,
      });
      info = mountInfoFrom(res?.data);
    } catch (err) {
      if (!(err instanceof VaultResponseError && err.status === 404)) throw err;
      info = NOT_KV_V2;
    }
    mounts.set(p, info);
    return info;
  }

  async kvVersion(path: string, opts: CallOptions = {}): Promise<1 | 2> {
    return (await this.mountInfo(path, opts)).kvVersion;
  }

  /** Close all connections; calls after this fail, and pending retries stop. */
  close(): void {
    this.#closing.abort();
    this.#transport.close();
  }

  [inspect.custom](): string {
    return `VaultClient { address: ${JSON.stringify(this.address)}${this.namespace ? `, namespace: ${JSON.stringify(this.namespace)}` : ""} }`;
  }

  toJSON(): Record<string, unknown> {
    return { address: this.address, namespace: this.namespace };
  }

  // ---- internals ----

  private mountsFor(namespace: string | undefined): MountCache {
    const key = namespace ?? "";
    let cache = this.#mounts.get(key);
    if (!cache) this.#mounts.set(key, (cache = new MountCache()));
    return cache;
  }

  /** Run a call with retries; the parsed JSON body, or undefined for an empty one. */
  private async call<T>(call: Call): Promise<T | undefined> {
    const res = await this.exchange(call, (call.retries ?? this.retry.retries) + 1);
    if (res.status >= 400) throw this.responseError(call, res);
    if (!res.body.trim()) return undefined;
    try {
      return (call.keepNumbers ? parseKeepingDataNumbers(res.body) : parsePlain(res.body)) as T;
    } catch {
      throw this.badResponse(
        call.method,
        call.path,
        `status ${res.status} with a body that is not JSON`,
      );
    }
  }

  /** Up to `attempts` exchanges; returns the last answer (any status), or throws the last transport error. */
  private async exchange(call: Call, attempts: number): Promise<ExchangeResult> {
    const headers: Record<string, string> = {
      "X-Vault-Request": "true",
      Accept: "application/json",
    };
    const token = call.auth ? (call.token ?? this.#token) : undefined;
    if (token) headers["X-Vault-Token"] = token;
    const namespace = call.namespace ?? this.namespace;
    if (namespace) headers["X-Vault-Namespace"] = namespace;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const target = `/v1/${call.path}${queryString(call.query)}`;
    for (let attempt = 1; ; attempt++) {
      if (this.#closing.signal.aborted) throw this.closedError(call);
      const started = performance.now();
      let res: ExchangeResult;
      try {
        res = await this.#transport.send({
          method: call.method,
          target,
          path: call.path,
          headers,
          body,
          timeoutMs: this.timeoutMs,
        });
      } catch (err) {
        const code = err instanceof VaultError ? err.code : VAULT_ERROR_CODES.unavailable;
        this.notify(call, undefined, started, attempt, code);
        if (code === VAULT_ERROR_CODES.tls || attempt >= attempts) throw err;
        await this.pause(attempt, call);
        continue;
      }
      this.notify(call, res.status, started, attempt);
      if (res.status < 400 || !isRetryableStatus(res.status) || attempt >= attempts) return res;
      await this.pause(attempt, call);
    }
  }

  private async pause(attempt: number, call: Call): Promise<void> {
    try {
      await sleep(retryDelayMs(this.retry, attempt), undefined, { signal: this.#closing.signal });
    } catch {
      throw this.closedError(call);
    }
  }

  private notify(
    call: Call,
    status: number | undefined,
    started: number,
    attempt: number,
    errorCode?: string,
  ) {
    if (this.#observers.size === 0) return;
    const event = {
      method: call.method,
      path: call.path,
      status,
      durationMs: performance.now() - started,
      attempt,
      ...(errorCode ? { errorCode } : {}),
    };
    for (const observer of this.#observers) {
      try {
        observer(event);
      } catch {
        // an observer's failure must not change the call's outcome
      }
    }
  }

  /** Values that must never appear in an error: the token and everything the request carried. */
  private secretsOf(call: Call): string[] {
    return [
      ...(this.#token ? [this.#token] : []),
      ...(call.token ? [call.token] : []),
      ...stringsIn(call.body),
      ...queryValues(call.query),
    ];
  }

  private responseError(call: Call, res: ExchangeResult): VaultResponseError {
    let errors: string[] = [];
    try {
      const parsed = parsePlain(res.body) as { errors?: unknown };
      if (Array.isArray(parsed?.errors)) errors = parsed.errors.map(String);
    } catch {
      // not JSON (a proxy's page): the status says enough
    }
    const secrets = this.secretsOf(call);
    errors = errors.map((e) => scrub(e, secrets));
    const path = scrub(call.path, [this.#token ?? "", call.token ?? ""]);
    const code = codeForStatus(res.status, errors);
    const what = errors.length ? errors.join("; ") : defaultReason(res.status);
    const message = `Vault ${res.status} on ${call.method} /v1/${path} at ${this.address}: ${what}`;
    return new VaultResponseError(code, message, {
      method: call.method,
      path,
      address: this.address,
      status: res.status,
      errors,
    });
  }

  private badResponse(method: string, path: string, what: string): VaultError {
    return new VaultError(
      VAULT_ERROR_CODES.badResponse,
      `Vault at ${this.address} answered ${method} /v1/${path} oddly: ${what}`,
      {
        method,
        path,
        address: this.address,
      },
    );
  }

  private closedError(call: Call): VaultRequestError {
    return new VaultRequestError(
      VAULT_ERROR_CODES.unavailable,
      `the client for Vault at ${this.address} is closed (${call.method} /v1/${call.path} not sent)`,
      { method: call.method, path: call.path, address: this.address },
    );
  }
}

function defaultReason(status: number): string {
  if (status === 404) return "not found";
  if (status === 403) return "permission denied";
  if (status === 429) return "too many requests";
  if (status === 503) return "unavailable";
  return "no message";
}
