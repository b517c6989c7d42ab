/**
 * What one render of a Handlebars template accumulates: the dependencies it
 * used and the ones the store has not fetched yet, plus the budget that stops
 * runaway templates. Helpers run synchronously inside `template(context)`, so
 * the engine keeps exactly one state per render and hands it to the helpers.
 */
import type { DataSource, Dependency, RenderEnvironment } from "../types.ts";

export interface HandlebarsLimits {
  /** largest output, in bytes, a render may produce */
  maxOutputBytes: number;
  /** most block iterations (`each` bodies) one render may run */
  maxIterations: number;
}

export const DEFAULT_LIMITS: HandlebarsLimits = {
  maxOutputBytes: 32 * 1024 * 1024,
  maxIterations: 1_000_000,
};

/** Thrown inside a render when a limit is hit; the engine turns it into a TemplateError. */
export class LimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimitExceeded";
  }
}

export class RenderState {
  readonly source: DataSource;
  readonly env: RenderEnvironment;
  readonly limits: HandlebarsLimits;
  private readonly usedByKey = new Map<string, Dependency>();
  private readonly missingByKey = new Map<string, Dependency>();
  private iterations = 0;

  constructor(source: DataSource, env: RenderEnvironment, limits: HandlebarsLimits) {
    this.source = source;
    this.env = env;
    this.limits = limits;
  }

  /** Record the dependency and return its stored value, or undefined (and record it missing). */
  lookup(dep: Dependency): ReturnType<DataSource["get"]> {
    if (!this.usedByKey.has(dep.key)) this.usedByKey.set(dep.key, dep);
    const value = this.source.get(dep);
    if (value === undefined && !this.missingByKey.has(dep.key)) {
      this.missingByKey.set(dep.key, dep);
    }
    return value;
  }

  get used(): Dependency[] {
    return [...this.usedByKey.values()];
  }

  get missing(): Dependency[] {
    return [...this.missingByKey.values()];
  }

  get hasMissing(): boolean {
    return this.missingByKey.size > 0;
  }

  /** Count one block iteration; throws once the render has run too many. */
  countIteration(): void {
    this.iterations += 1;
    if (this.iterations > this.limits.maxIterations) {
      throw new LimitExceeded(
        `more than ${this.limits.maxIterations} loop iterations (a runaway or exploding loop)`,
      );
    }
  }

  /**
   * Throws when a piece of output being assembled is already over the size
   * limit. Characters are a lower bound on UTF-8 bytes, so this never rejects
   * output that would fit; the engine checks exact bytes once at the end.
   */
  checkOutputSize(chars: number): void {
    if (chars > this.limits.maxOutputBytes) {
      throw new LimitExceeded(`output larger than ${this.limits.maxOutputBytes} bytes`);
    }
  }
}
