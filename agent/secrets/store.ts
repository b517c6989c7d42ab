import { createHash } from "node:crypto";
import { describeError, VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import { isPermanent, isTokenRejected } from "../auth/calls.ts";
import type { TokenChange, TokenInfo } from "../auth/manager.ts";
import type { AgentMetrics } from "../ops/metrics.ts";
import type { DataSource, Dependency } from "../template/types.ts";
import { Backoff } from "../timing/backoff.ts";
import { defaultRandom, type Random } from "../timing/jitter.ts";
import { Scheduler, systemClock, type Clock } from "../timing/scheduler.ts";
import type { SecretCalls, VaultResponse } from "./calls.ts";
import { SecretRequests } from "./requests.ts";
import {
  DEFAULT_SCHEDULE_OPTIONS,
  MIN_REFRESH_MS,
  planAfterFetch,
  planAfterLeaseRenewal,
  planOwnerHandover,
  type ScheduleOptions,
  type SecretClass,
  type SecretPlan,
} from "./schedule.ts";
import { fingerprint, toStoredValue, type StoredValue } from "./values.ts";
import { stripUndefined } from "../../shared/own.ts";

export const SECRET_FETCH_FAILED = "SECRET_FETCH_FAILED";
export const SECRETS_STOPPED = "SECRETS_STOPPED";
/** Vault Agent's default number of retries (vault.retry.num_retries) */
export const DEFAULT_RETRIES = 12;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 60_000;
/** a revoked token took its leases along: replace them within this spread */
const REVOKED_SPREAD_MS = 1000;

export interface TokenSource {
  token(): Promise<TokenInfo>;
  current(): TokenInfo | undefined;
  reportRejected(token: string): Promise<void>;
}

export interface SecretsStoreOptions {
  calls: SecretCalls;
  tokens: TokenSource;
  log: Logger;
  metrics?: AgentMetrics;
  schedule?: Partial<ScheduleOptions>;
  /** attempts after the first before a fetch counts as failed (num_retries) */
  retries?: number;
  /** template_config.exit_on_retry_failure: a failed fetch stops the agent */
  exitOnRetryFailure?: boolean;
  /** once mode: an error retrying cannot fix (403, 404, 400) fails at once */
  failFast?: boolean;
  /** called with the error that must stop the agent */
  onFatal?: (err: VaultletError) => void;
  retryMinMs?: number;
  retryMaxMs?: number;
  random?: Random;
  clock?: Clock;
}

interface Entry {
  dep: Dependency;
  value?: StoredValue;
  print?: string;
  cls?: SecretClass;
  /** token generation that fetched the value (owner of its lease) */
  generation?: number;
  leaseId?: string;
  /** the lease's duration as fetched: the increment asked for at renewal */
  incrementMs: number;
  backoff: Backoff;
  busy?: Promise<void>;
  first: Deferred;
  failed: boolean;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
  settled: boolean;
}

/**
 * One entry per dependency key, shared by every template: fetched once,
 * kept fresh on the refresh table's schedule, replaced before the token that
 * owns its lease ends. On errors the last good value stays; retries back off
 * with jitter. Listeners hear about keys whose value changed.
 */
export class SecretsStore implements DataSource {
  readonly #o: SecretsStoreOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #schedule: ScheduleOptions;
  readonly #listeners: Array<(keys: string[]) => void> = [];
  readonly #requests: SecretRequests;
  #stopped = false;

  constructor(options: SecretsStoreOptions) {
    this.#o = options;
    this.#requests = new SecretRequests(options.calls);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? defaultRandom;
    this.#scheduler = new Scheduler(this.#clock);
    this.#schedule = { ...DEFAULT_SCHEDULE_OPTIONS, ...stripUndefined(options.schedule ?? {}) };
  }

  get(dep: Dependency): StoredValue | undefined {
    return this.#entries.get(dep.key)?.value;
  }

  /** when the dependency is next fetched or renewed, on the store's clock (ms) */
  dueAt(dep: Dependency): number | undefined {
    return this.#scheduler.dueAt(dep.key);
  }

  /** keys whose value changed after their first fetch */
  onChange(listener: (keys: string[]) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Resolves once every dependency has a value. Rejects when one cannot be
   * fetched within the retries (or at once, in fail-fast mode, for errors
   * retrying cannot fix); the entry keeps retrying in the background.
   */
  async ensure(deps: Dependency[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const dep of deps) {
      const entry = this.#entry(dep);
      if (entry.value !== undefined) continue;
      if (entry.first.settled) entry.first = deferred();
      if (!entry.busy && this.#scheduler.dueAt(dep.key) === undefined) this.#fetch(entry);
      waits.push(entry.first.promise);
    }
    await Promise.all(waits);
  }

  /**
   * Adopt a certificate an earlier run left in its destination file, so a
   * restart does not issue a new one. Refused (false) when the value is
   * already known or the certificate is due for renewal (85-95% of its life).
   */
  seedCertificate(dep: Dependency, res: VaultResponse): boolean {
    const entry = this.#entry(dep);
    if (entry.value !== undefined || entry.busy) return false;
    const now = this.#clock.now();
    const plan = planAfterFetch(dep, res, now, this.#schedule, this.#random, -Infinity);
    if (plan.class !== "certificate" || plan.at <= now + MIN_REFRESH_MS) return false;
    entry.value = toStoredValue(dep, res);
    entry.print = fingerprint(entry.value);
    entry.cls = plan.class;
    this.#apply(entry, plan);
    if (!entry.first.settled) entry.first.resolve();
    this.#o.log.info({ secret: dep.path }, "certificate still valid in its file; reusing it");
    return true;
  }

  /** drop an entry's value and schedule (a seeded value that did not fit) */
  forget(dep: Dependency): void {
    this.#scheduler.cancel(dep.key);
    this.#entries.delete(dep.key);
    this.#o.metrics?.setSecretExpiry(secretLabel(dep), undefined);
  }

  /** forget entries no template uses any more */
  retain(keys: ReadonlySet<string>): void {
    for (const [key, entry] of this.#entries) {
      if (keys.has(key)) continue;
      this.#scheduler.cancel(key);
      this.#entries.delete(key);
      this.#o.metrics?.setSecretExpiry(secretLabel(entry.dep), undefined);
    }
  }

  /**
   * A new token: KV and certificates stay as they are. Leases the old token
   * owned end with it: replaced at once when Vault rejected it (they are
   * gone), else before its end.
   */
  tokenChanged(change: TokenChange): void {
    const prev = change.previous;
    if (!prev || this.#stopped) return;
    const now = this.#clock.now();
    for (const entry of this.#entries.values()) {
      if (entry.generation !== prev.generation || !isLeased(entry.cls)) continue;
      let at: number | undefined;
      if (change.previousRevoked) at = now + this.#random() * REVOKED_SPREAD_MS;
      else if (prev.expiresAt !== undefined) {
        const planned = this.#scheduler.dueAt(entry.dep.key) ?? now;
        at = planOwnerHandover(planned, prev.expiresAt, now, this.#random);
      }
      if (at === undefined) continue;
      this.#o.log.debug(
        { secret: entry.dep.path },
        "lease owned by the previous token; replacing it",
      );
      this.#scheduler.at(entry.dep.key, at, () => this.#fetch(entry));
    }
  }

  /** stop every schedule; pending ensure() calls are rejected */
  stop(): void {
    this.#stopped = true;
    this.#scheduler.stop();
    for (const e of this.#entries.values()) {
      if (!e.first.settled)
        e.first.reject(new VaultletError(SECRETS_STOPPED, "the agent is stopping"));
    }
  }

  /** revoke every lease held (revoke_on_shutdown); failures are logged, not thrown */
  async revokeLeases(): Promise<void> {
    const tok = this.#o.tokens.current();
    if (!tok) return;
    const leased = [...this.#entries.values()].filter((e) => e.leaseId && isLeased(e.cls));
    await Promise.all(
      leased.map(async (e) => {
        try {
          await this.#o.calls.revokeLease(tok.token, e.leaseId!);
          this.#o.log.info({ secret: e.dep.path }, "lease revoked");
        } catch (err) {
          this.#o.log.warn(
            { secret: e.dep.path, error: describeError(err) },
            "cannot revoke lease",
          );
        }
      }),
    );
  }

  #entry(dep: Dependency): Entry {
    let e = this.#entries.get(dep.key);
    if (!e) {
      e = {
        dep,
        incrementMs: 0,
        backoff: new Backoff({
          minMs: this.#o.retryMinMs ?? RETRY_MIN_MS,
          maxMs: this.#o.retryMaxMs ?? RETRY_MAX_MS,
          // waits in [50%, 200%] of the step: a fleet that lost Vault together
          // comes back spread over more than one step, not in a burst
          jitter: 0.5,
          stretch: 1,
          random: this.#random,
        }),
        first: deferred(),
        failed: false,
      };
      this.#entries.set(dep.key, e);
    }
    return e;
  }

  #fetch(entry: Entry): void {
    if (entry.busy || this.#stopped) return;
    entry.busy = this.#run(entry, "fetch").finally(() => (entry.busy = undefined));
  }

  #renew(entry: Entry): void {
    if (entry.busy || this.#stopped) return;
    entry.busy = this.#run(entry, "renew").finally(() => (entry.busy = undefined));
  }

  async #run(entry: Entry, op: "fetch" | "renew"): Promise<void> {
    let tok: TokenInfo | undefined;
    try {
      tok = await this.#o.tokens.token();
      if (this.#stopped) return;
      if (op === "renew") await this.#doRenew(entry, tok);
      else this.#accept(entry, await this.#requests.send(entry.dep, tok.token), tok.generation);
    } catch (err) {
      if (this.#stopped) return;
      await this.#failed(entry, op, err, tok);
    }
  }

  async #doRenew(entry: Entry, tok: TokenInfo): Promise<void> {
    const { calls, metrics, log } = this.#o;
    try {
      const res = await calls.renewLease(
        tok.token,
        entry.leaseId!,
        Math.round(entry.incrementMs / 1000),
      );
      metrics?.leaseRenewals.inc({ result: "success" });
      const plan = planAfterLeaseRenewal(entry.incrementMs, res, this.#clock.now(), this.#random);
      log.debug(
        { secret: entry.dep.path, ttl_s: res.lease_duration, next: plan.action },
        "lease renewed",
      );
      entry.backoff.reset();
      this.#apply(entry, plan);
    } catch (err) {
      metrics?.leaseRenewals.inc({ result: "failure" });
      throw err;
    }
  }

  #accept(entry: Entry, res: VaultResponse, generation: number): void {
    const { log, metrics } = this.#o;
    const value = toStoredValue(entry.dep, res);
    const print = fingerprint(value);
    // a first value after a failed start also counts: the template is still waiting for it
    const changed = (entry.value !== undefined && print !== entry.print) || entry.failed;
    const regroup = entry.value === undefined || entry.backoff.attempts > 0;
    entry.value = value;
    entry.print = print;
    entry.generation = generation;
    entry.leaseId = res.lease_id || undefined;
    entry.incrementMs = (res.lease_duration ?? 0) * 1000;
    entry.backoff.reset();
    entry.failed = false;
    const now = this.#clock.now();
    const plan = planAfterFetch(entry.dep, res, now, this.#schedule, this.#random, now, regroup);
    entry.cls = plan.class;
    this.#apply(entry, plan);
    metrics?.fetches.inc({ kind: entry.dep.kind, result: "success" });
    log.debug({ secret: entry.dep.path, class: plan.class, changed }, "secret fetched");
    if (!entry.first.settled) entry.first.resolve();
    if (changed) for (const l of this.#listeners) l([entry.dep.key]);
  }

  #apply(entry: Entry, plan: SecretPlan): void {
    this.#o.metrics?.setSecretExpiry(secretLabel(entry.dep), plan.expiresAt);
    const run = plan.action === "renew" ? () => this.#renew(entry) : () => this.#fetch(entry);
    this.#scheduler.at(entry.dep.key, plan.at, run);
  }

  async #failed(entry: Entry, op: "fetch" | "renew", err: unknown, tok: TokenInfo | undefined) {
    const { log, metrics, tokens } = this.#o;
    if (op === "fetch") metrics?.fetches.inc({ kind: entry.dep.kind, result: "failure" });
    let tokenReplaced = false;
    if (tok && isTokenRejected(err)) {
      await tokens.reportRejected(tok.token);
      tokenReplaced = tokens.current()?.generation !== tok.generation;
    }
    const now = this.#clock.now();
    if (op === "renew" && !tokenReplaced && isPermanent(err)) {
      // the lease is gone (revoked, expired, unknown): fetch a new one now
      log.warn(
        { secret: entry.dep.path, error: describeError(err) },
        "lease renewal refused; fetching anew",
      );
      this.#scheduler.at(entry.dep.key, now, () => this.#fetch(entry));
      return;
    }
    const wait = entry.backoff.next();
    const failure = new VaultletError(
      SECRET_FETCH_FAILED,
      `${op === "renew" ? "renewing the lease of" : "fetching"} ${entry.dep.path} failed: ${describeError(err)}`,
      { cause: err },
    );
    const permanent = !tokenReplaced && isPermanent(err);
    const exhausted = entry.backoff.attempts > (this.#o.retries ?? DEFAULT_RETRIES);
    log.warn(
      {
        secret: entry.dep.path,
        error: failure.message,
        attempt: entry.backoff.attempts,
        retry_ms: Math.round(wait),
      },
      "secret request failed; keeping the last good value",
    );
    if ((exhausted || (permanent && this.#o.failFast)) && !entry.failed) {
      entry.failed = true;
      if (!entry.first.settled) entry.first.reject(failure);
      if (this.#o.exitOnRetryFailure || this.#o.failFast) {
        this.#o.onFatal?.(failure);
        return;
      }
    }
    const retry = op === "renew" ? () => this.#renew(entry) : () => this.#fetch(entry);
    this.#scheduler.at(entry.dep.key, tokenReplaced ? now : now + wait, retry);
  }
}

/**
 * A metric label for a dependency: its path, plus a short digest of its
 * arguments when it has any (two certificates from one role differ only
 * there). Arguments themselves may be secret and never appear.
 */
export function secretLabel(dep: Dependency): string {
  if (dep.params.length === 0) return dep.path;
  return `${dep.path}#${createHash("sha256").update(dep.key).digest("hex").slice(0, 8)}`;
}

function isLeased(cls: SecretClass | undefined): boolean {
  return cls === "renewable-lease" || cls === "lease";
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const d: Deferred = {
    promise: new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    }),
    resolve: () => ((d.settled = true), resolve()),
    reject: (err) => ((d.settled = true), reject(err)),
    settled: false,
  };
  d.promise.catch(() => undefined);
  return d;
}
