import { describeError, VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { AgentMetrics } from "../ops/metrics.ts";
import { Backoff } from "../timing/backoff.ts";
import { defaultRandom, type Random } from "../timing/jitter.ts";
import { Scheduler, systemClock, type Clock } from "../timing/scheduler.ts";
import { isPermanent, isTokenRejected, type AuthCalls } from "./calls.ts";
import type { LoginMethod } from "./methods.ts";
import type { TokenSink } from "./sinks.ts";
import { watchFiles } from "./watch.ts";
import {
  nextLoginStart,
  planAfterLogin,
  planAfterRenewal,
  planAfterRenewalFailure,
  type TokenPlan,
} from "./token-life.ts";

/** Vault Agent's defaults */
export const DEFAULT_MIN_BACKOFF_MS = 1000;
export const DEFAULT_MAX_BACKOFF_MS = 5 * 60_000;
/** least time between two login starts, whatever asks for them */
export const DEFAULT_LOGIN_SPACING_MS = 1000;
/**
 * After lookup-self confirmed the token, further 403s within this time are
 * taken as policy denials of a path, so a template retrying a denied path
 * does not cost a token check per retry
 */
export const VERIFIED_TOKEN_TRUST_MS = 30_000;
export const AUTH_LOGIN_FAILED = "AUTH_LOGIN_FAILED";
export const AUTH_STOPPED = "AUTH_STOPPED";

export interface TokenInfo {
  readonly token: string;
  /** increases with every new token; secrets remember which token fetched them */
  readonly generation: number;
  /** the TTL the login gave (ms): the increment asked for at renewal */
  readonly ttlMs: number;
  /** last known end of the token (ms since epoch); undefined when it never expires */
  expiresAt: number | undefined;
}

export interface TokenChange {
  current: TokenInfo;
  previous: TokenInfo | undefined;
  /** Vault no longer accepts the previous token: its leases are gone too */
  previousRevoked: boolean;
}

export interface AuthManagerOptions {
  method: LoginMethod;
  calls: AuthCalls;
  sinks?: TokenSink[];
  log: Logger;
  metrics?: AgentMetrics;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** exit_on_err: the first failed login is final */
  exitOnErr?: boolean;
  /** once mode: a login Vault refuses (4xx) is final, transient errors are retried */
  failOnRejectedLogin?: boolean;
  /** a login failure that must stop the agent (exit_on_err, once mode) */
  onFatal?: (err: VaultletError) => void;
  /** least time between two login starts; default min_backoff, at most 1s */
  loginSpacingMs?: number;
  random?: Random;
  clock?: Clock;
}

/**
 * Auto-auth: logs in, keeps the token alive and replaces it. One login at a
 * time, logins spaced, every retry backed off with jitter; a token Vault
 * rejects (reported by any caller) is replaced by one fresh login, however
 * many callers saw the rejection.
 */
export class AuthManager {
  readonly #o: AuthManagerOptions;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #scheduler: Scheduler;
  readonly #loginBackoff: Backoff;
  readonly #renewBackoff: Backoff;
  readonly #spacingMs: number;
  readonly #listeners: Array<(change: TokenChange) => void> = [];
  #unwatch: (() => void) | undefined;
  #current: TokenInfo | undefined;
  #rejected = false;
  #generation = 0;
  #login: Promise<TokenInfo> | undefined;
  #lastLoginStart: number | undefined;
  #wake: (() => void) | undefined;
  #verifying: Promise<void> | undefined;
  #verifiedOk: { token: string; at: number } | undefined;
  #stopped = false;
  /** the last sink write failure, for once mode's exit code */
  sinkError: unknown;

  constructor(options: AuthManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? defaultRandom;
    this.#scheduler = new Scheduler(this.#clock);
    const minMs = options.minBackoffMs || DEFAULT_MIN_BACKOFF_MS;
    const maxMs = Math.max(minMs, options.maxBackoffMs || DEFAULT_MAX_BACKOFF_MS);
    this.#loginBackoff = new Backoff({ minMs, maxMs, random: this.#random });
    this.#renewBackoff = new Backoff({ minMs, maxMs, random: this.#random });
    this.#spacingMs = options.loginSpacingMs ?? Math.min(minMs, DEFAULT_LOGIN_SPACING_MS);
  }

  get methodType(): string {
    return this.#o.method.type;
  }

  /** first login; also starts watching the credential files */
  start(): Promise<TokenInfo> {
    this.#unwatch ??= watchFiles(
      this.#o.method.watchPaths,
      () => this.#onFileChanged(),
      this.#o.log,
    );
    return this.login("start");
  }

  current(): TokenInfo | undefined {
    return this.#rejected ? undefined : this.#current;
  }

  /** a usable token: the current one, or the one being obtained */
  token(): Promise<TokenInfo> {
    const cur = this.current();
    if (cur) return Promise.resolve(cur);
    return this.login("token needed");
  }

  onTokenChange(listener: (change: TokenChange) => void): void {
    this.#listeners.push(listener);
  }

  /** log in; joins a login already in flight */
  login(reason: string): Promise<TokenInfo> {
    if (this.#stopped) return Promise.reject(stopped());
    this.#login ??= this.#loginLoop(reason).finally(() => (this.#login = undefined));
    return this.#login;
  }

  /**
   * A call made with `token` got 401/403. A 403 may also be a policy denying
   * one path, so the token is checked (lookup-self) before a new login;
   * reports for a token already replaced, or while a check runs, add nothing.
   */
  reportRejected(token: string): Promise<void> {
    const cur = this.#current;
    if (!cur || cur.token !== token || this.#rejected || this.#stopped) return Promise.resolve();
    if (this.#verifying) return this.#verifying;
    const ok = this.#verifiedOk;
    if (ok && ok.token === token && this.#clock.now() - ok.at < VERIFIED_TOKEN_TRUST_MS) {
      return Promise.resolve();
    }
    this.#verifying = this.#verify(cur).finally(() => (this.#verifying = undefined));
    return this.#verifying;
  }

  async #verify(cur: TokenInfo): Promise<void> {
    try {
      await this.#o.calls.lookupSelf(cur.token);
      this.#verifiedOk = { token: cur.token, at: this.#clock.now() };
    } catch (err) {
      if (!isTokenRejected(err) || this.#current !== cur) return;
      this.#o.log.warn(
        { generation: cur.generation },
        "Vault rejected the token; logging in again",
      );
      this.#rejected = true;
      await this.login("token rejected").catch(() => undefined);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#scheduler.stop();
    this.#unwatch?.();
    this.#wake?.();
  }

  /** revoke-self; for shutdown when revoke_on_shutdown is set */
  async revoke(): Promise<void> {
    const cur = this.#current;
    if (!cur || this.#rejected) return;
    await this.#o.calls.revokeSelf(cur.token);
    this.#o.metrics?.setTokenExpiry(undefined);
  }

  async #loginLoop(reason: string): Promise<TokenInfo> {
    const { method, log, metrics } = this.#o;
    for (;;) {
      if (this.#stopped) throw stopped();
      const startAt = nextLoginStart(this.#lastLoginStart, this.#clock.now(), this.#spacingMs);
      if (startAt > this.#clock.now()) await this.#sleep(startAt - this.#clock.now(), false);
      if (this.#stopped) throw stopped();
      this.#lastLoginStart = this.#clock.now();
      try {
        const info = await this.#attempt();
        metrics?.logins.inc({ method: method.type, result: "success" });
        log.info(
          { method: method.type, reason, generation: info.generation, ttl_s: info.ttlMs / 1000 },
          "logged in to Vault",
        );
        this.#loginBackoff.reset();
        return info;
      } catch (err) {
        metrics?.logins.inc({ method: method.type, result: "failure" });
        const final =
          this.#o.exitOnErr ||
          (this.#o.failOnRejectedLogin && isPermanent(err)) ||
          !isRetryable(err);
        const failure = loginFailed(method, err);
        log.error({ method: method.type, reason, error: failure.message, final }, "login failed");
        if (final) {
          this.#o.onFatal?.(failure);
          throw failure;
        }
        await this.#sleep(this.#loginBackoff.next(), true);
      }
    }
  }

  async #attempt(): Promise<TokenInfo> {
    const { method, calls } = this.#o;
    const creds = await method.credentials();
    let token: string;
    let ttlSeconds: number;
    let renewable: boolean;
    if (creds.kind === "login") {
      const auth = await calls.login(method.mountPath, creds.body, method.namespace);
      if (!auth?.client_token) {
        throw new VaultletError(AUTH_LOGIN_FAILED, "Vault's login response has no client_token");
      }
      ({ client_token: token, lease_duration: ttlSeconds, renewable } = auth);
    } else {
      const cur = this.#current;
      if (cur && !this.#rejected && cur.token === creds.token) {
        // the file still holds the token in use: nothing new to adopt, and
        // polling it would not help; the file watch brings the next one
        this.#scheduler.cancel("token");
        this.#o.log.warn("the token file still holds the current token; waiting for a new one");
        return cur;
      }
      const lookup = await calls.lookupSelf(creds.token);
      token = creds.token;
      ({ ttl: ttlSeconds, renewable } = lookup);
    }
    return this.#adopt(token, ttlSeconds * 1000, renewable);
  }

  async #adopt(token: string, ttlMs: number, renewable: boolean): Promise<TokenInfo> {
    const now = this.#clock.now();
    const previous = this.#current;
    const previousRevoked = this.#rejected;
    const plan = planAfterLogin({ ttlMs, renewable }, now, this.#random);
    const info: TokenInfo = {
      token,
      generation: ++this.#generation,
      ttlMs,
      expiresAt: plan.expiresAt,
    };
    this.#current = info;
    this.#rejected = false;
    this.#verifiedOk = undefined;
    this.#renewBackoff.reset();
    this.#apply(plan);
    await this.#writeSinks(token);
    for (const l of this.#listeners) l({ current: info, previous, previousRevoked });
    return info;
  }

  #apply(plan: TokenPlan): void {
    this.#o.metrics?.setTokenExpiry(plan.expiresAt);
    if (this.#current) this.#current.expiresAt = plan.expiresAt;
    if (plan.action === "none") {
      this.#scheduler.cancel("token");
      return;
    }
    if (plan.action === "renew") {
      this.#scheduler.at("token", plan.at, () => void this.#renew());
      return;
    }
    const reason =
      plan.reason === "max-ttl" ? "token reaches its max TTL" : "token is not renewable";
    this.#scheduler.at("token", plan.at, () => void this.login(reason).catch(() => undefined));
  }

  async #renew(): Promise<void> {
    const cur = this.#current;
    if (!cur || this.#rejected || this.#stopped) return;
    const { calls, log, metrics } = this.#o;
    try {
      const auth = await calls.renewSelf(cur.token, Math.round(cur.ttlMs / 1000));
      if (this.#current !== cur) return;
      metrics?.tokenRenewals.inc({ result: "success" });
      this.#renewBackoff.reset();
      const renewed = { ttlMs: auth.lease_duration * 1000, renewable: auth.renewable };
      const plan = planAfterRenewal(cur.ttlMs, renewed, this.#clock.now(), this.#random);
      log.debug(
        { generation: cur.generation, ttl_s: auth.lease_duration, next: plan.action },
        "token renewed",
      );
      this.#apply(plan);
    } catch (err) {
      if (this.#current !== cur) return;
      metrics?.tokenRenewals.inc({ result: "failure" });
      if (isTokenRejected(err)) {
        log.warn({ generation: cur.generation }, "token renewal rejected; logging in again");
        this.#rejected = true;
        await this.login("token rejected").catch(() => undefined);
        return;
      }
      const now = this.#clock.now();
      const next = planAfterRenewalFailure(
        cur.expiresAt ?? Infinity,
        this.#renewBackoff.next(),
        now,
      );
      log.warn({ error: describeError(err), next: next.action }, "token renewal failed");
      if (next.action === "renew") this.#scheduler.at("token", next.at, () => void this.#renew());
      else
        this.#scheduler.at(
          "token",
          next.at,
          () => void this.login("renewal failing").catch(() => undefined),
        );
    }
  }

  async #writeSinks(token: string): Promise<void> {
    for (const sink of this.#o.sinks ?? []) {
      try {
        await sink.write(token);
        this.sinkError = undefined;
      } catch (err) {
        this.sinkError = err;
        this.#o.log.error(
          { sink: sink.path, error: describeError(err) },
          "cannot write token sink",
        );
      }
    }
  }

  /** sleep; a replaced credential file may cut a backoff short (`wakeable`) */
  #sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      if (wakeable) this.#wake = () => ((this.#wake = undefined), done());
      else if (this.#stopped) done();
    });
  }

  #onFileChanged(): void {
    if (this.#stopped) return;
    if (this.#wake) {
      this.#o.log.info(
        { method: this.#o.method.type },
        "credential file changed; retrying login now",
      );
      this.#wake();
      return;
    }
    if (this.#o.method.type !== "token_file" || this.#login) return;
    // a token file holds the Vault token itself: a new one replaces ours at once
    this.#o.method
      .credentials()
      .then((c) => {
        if (c.kind === "token" && c.token !== this.#current?.token) {
          return this.login("token file replaced");
        }
        return undefined;
      })
      .catch(() => undefined);
  }
}

function stopped(): VaultletError {
  return new VaultletError(AUTH_STOPPED, "the agent is stopping");
}

/** configuration and file errors are the user's to fix; Vault's answers may be transient */
function isRetryable(err: unknown): boolean {
  return !(err instanceof VaultletError && err.code === "AUTH_CONFIG_INVALID");
}

function loginFailed(method: LoginMethod, err: unknown): VaultletError {
  return new VaultletError(
    AUTH_LOGIN_FAILED,
    `login with ${method.type} at ${method.mountPath} failed: ${describeError(err)}`,
    { cause: err },
  );
}
