import { readFileSync } from "node:fs";
import { describeError, VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import { serialQueue } from "../../shared/serial.ts";
import { Backoff } from "../timing/backoff.ts";
import type {
  CompiledTemplate,
  DataSource,
  Dependency,
  RenderEnvironment,
} from "../template/types.ts";

export const TEMPLATE_UNRESOLVED = "TEMPLATE_UNRESOLVED";
/** render passes before a template that keeps asking for new secrets is an error */
export const MAX_RENDER_PASSES = 16;
/** a failed render (e.g. an unwritable destination) is tried again after a doubling, jittered wait */
const RENDER_RETRY_MIN_MS = 500;
const RENDER_RETRY_MAX_MS = 30_000;

export interface SecretFetcher extends DataSource {
  ensure(deps: Dependency[]): Promise<void>;
}

/**
 * Renders one template to completion: render, fetch what is missing, render
 * again until nothing is missing. Secrets discovered inside a `with` or
 * `range` over another secret take one pass per level, hence the bound.
 */
export async function renderComplete(
  name: string,
  compiled: CompiledTemplate,
  store: SecretFetcher,
  env: RenderEnvironment,
  /** told every key a pass used or missed, so a failed render still hears about its secrets */
  onKeys?: (keys: Set<string>) => void,
  /** a chance to supply missing values from elsewhere before they are fetched */
  beforeFetch?: (missing: Dependency[]) => void,
): Promise<{ output: string; used: Dependency[] }> {
  for (let pass = 0; pass < MAX_RENDER_PASSES; pass++) {
    const result = compiled.render(store, env);
    onKeys?.(new Set([...result.used, ...result.missing].map((d) => d.key)));
    if (result.missing.length === 0) return { output: result.output, used: result.used };
    beforeFetch?.(result.missing);
    await store.ensure(result.missing);
  }
  throw new VaultletError(
    TEMPLATE_UNRESOLVED,
    `template ${name} still needs new secrets after ${MAX_RENDER_PASSES} passes; nested secret lookups are too deep`,
  );
}

export function renderEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): RenderEnvironment {
  return { env, readFile: (p) => readFileSync(p, "utf8"), now: () => new Date() };
}

/**
 * Serialises the renders of one template: never two at once, and changes
 * that arrive while one runs or waits fold into a single next render.
 */
export class RenderQueue {
  readonly #run: () => Promise<void>;
  readonly #log: Logger;
  readonly #name: string;
  readonly #wait: { min?: number; max?: number } | undefined;
  readonly #queue = serialQueue();
  #queued = false;
  #quiet: { timer: NodeJS.Timeout; since: number } | undefined;
  #retry: NodeJS.Timeout | undefined;
  #cancelled = false;
  readonly #onFailure: ((err: unknown, failures: number) => void) | undefined;
  readonly #backoff = new Backoff({
    minMs: RENDER_RETRY_MIN_MS,
    maxMs: RENDER_RETRY_MAX_MS,
    jitter: 0.5,
  });

  /**
   * `wait` is the template's quiescence (consul-template's wait): a change
   * renders after `min` without further changes, and never later than `max`
   * after the first one.
   */
  constructor(
    name: string,
    run: () => Promise<void>,
    log: Logger,
    wait?: { min?: number; max?: number },
    /** told each failed re-render and how many failed in a row */
    onFailure?: (err: unknown, failures: number) => void,
  ) {
    this.#name = name;
    this.#run = run;
    this.#log = log;
    this.#wait = wait?.min ? wait : undefined;
    this.#onFailure = onFailure;
  }

  /** render after anything in progress; the caller gets the outcome */
  run(): Promise<void> {
    return this.#queue.run(() => this.#run());
  }

  /** render again soon (a secret changed); failures are logged */
  trigger(): void {
    const wait = this.#wait;
    if (wait?.min) {
      const now = Date.now();
      const since = this.#quiet?.since ?? now;
      if (this.#quiet) clearTimeout(this.#quiet.timer);
      const max = Math.max(wait.max ?? wait.min * 4, wait.min);
      const delay = Math.max(0, Math.min(now + wait.min, since + max) - now);
      const timer = setTimeout(() => {
        this.#quiet = undefined;
        this.#enqueue();
      }, delay);
      this.#quiet = { timer, since };
      return;
    }
    this.#enqueue();
  }

  /** drop a pending quiescence wait or retry (shutdown) */
  cancel(): void {
    if (this.#quiet) clearTimeout(this.#quiet.timer);
    this.#quiet = undefined;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#cancelled = true;
  }

  /**
   * Render again after the next backoff wait: a render that failed must not
   * wait for the next secret change, or an output fixed later (a directory
   * writable again) would keep stale content until then.
   */
  retryLater(): void {
    if (this.#retry || this.#cancelled) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#enqueue();
    }, this.#backoff.next());
  }

  #enqueue(): void {
    if (this.#queued) return;
    this.#queued = true;
    void this.#queue.run(async () => {
      this.#queued = false;
      try {
        await this.#run();
        this.#backoff.reset();
      } catch (err) {
        this.#log.error({ template: this.#name, error: describeError(err) }, "re-render failed");
        this.retryLater();
        this.#onFailure?.(err, this.#backoff.attempts);
      }
    });
  }

  /** settles when nothing is queued or running */
  idle(): Promise<void> {
    return this.#queue.idle();
  }
}
