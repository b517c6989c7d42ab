import { readFileSync } from "node:fs";
import { describeError, VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type {
  CompiledTemplate,
  DataSource,
  Dependency,
  RenderEnvironment,
} from "../template/types.ts";

export const TEMPLATE_UNRESOLVED = "TEMPLATE_UNRESOLVED";
/** render passes before a template that keeps asking for new secrets is an error */
export const MAX_RENDER_PASSES = 16;

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
  #tail: Promise<void> = Promise.resolve();
  #queued = false;

  constructor(name: string, run: () => Promise<void>, log: Logger) {
    this.#name = name;
    this.#run = run;
    this.#log = log;
  }

  /** render after anything in progress; the caller gets the outcome */
  run(): Promise<void> {
    const p = this.#tail.then(() => this.#run());
    this.#tail = p.catch(() => undefined);
    return p;
  }

  /** render again soon (a secret changed); failures are logged */
  trigger(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#tail = this.#tail.then(async () => {
      this.#queued = false;
      try {
        await this.#run();
      } catch (err) {
        this.#log.error({ template: this.#name, error: describeError(err) }, "re-render failed");
      }
    });
  }

  /** settles when nothing is queued or running */
  idle(): Promise<void> {
    return this.#tail;
  }
}
