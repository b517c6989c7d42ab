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
): Promise<{ output: string; used: Dependency[] }> {
  for (let pass = 0; pass < MAX_RENDER_PASSES; pass++) {
    const result = compiled.render(store, env);
    if (result.missing.length === 0) return { output: result.output, used: result.used };
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
 * Serialises re-renders of one template: a change during a render marks it
 * dirty and it runs once more afterwards, never twice at the same time.
 */
export class RenderQueue {
  readonly #run: () => Promise<void>;
  readonly #log: Logger;
  readonly #name: string;
  #running: Promise<void> | undefined;
  #dirty = false;

  constructor(name: string, run: () => Promise<void>, log: Logger) {
    this.#name = name;
    this.#run = run;
    this.#log = log;
  }

  /** run now, or once more after the current run */
  trigger(): Promise<void> {
    if (this.#running) {
      this.#dirty = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#dirty = false;
      try {
        await this.#run();
      } catch (err) {
        this.#log.error({ template: this.#name, error: describeError(err) }, "re-render failed");
      }
    } while (this.#dirty);
  }
}
