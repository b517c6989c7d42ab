/**
 * What one render of a Handlebars template works with: the function library
 * bound to this render's data source and environment (the same library the
 * Go engine uses), the recorder of used and missing dependencies it fills,
 * and the budget that stops runaway templates. Helpers run synchronously
 * inside `template(context)`, so the engine keeps exactly one state per render.
 */
import { createFunctions, DependencyRecorder } from "../functions/index.ts";
import type { TemplateFunction } from "../functions/index.ts";
import type { DataSource, Dependency, RenderEnvironment } from "../types.ts";

export interface HandlebarsLimits {
  /** largest output, in bytes, a render may produce */
  maxOutputBytes: number;
  /** most block iterations (`each` bodies) one render may run */
  maxIterations: number;
  /** largest template text, in bytes, accepted for compiling */
  maxTemplateBytes: number;
  /** deepest nesting of blocks accepted (Handlebars' parser slows quadratically with depth) */
  maxNesting: number;
}

export const DEFAULT_LIMITS: HandlebarsLimits = {
  maxOutputBytes: 32 * 1024 * 1024,
  maxIterations: 1_000_000,
  maxTemplateBytes: 1024 * 1024,
  maxNesting: 200,
};

/** Thrown inside a render when a limit is hit; the engine turns it into a TemplateError. */
export class LimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimitExceeded";
  }
}

export class RenderState {
  readonly recorder = new DependencyRecorder();
  readonly functions: Readonly<Record<string, TemplateFunction>>;
  readonly limits: HandlebarsLimits;
  private iterations = 0;

  constructor(source: DataSource, env: RenderEnvironment, limits: HandlebarsLimits) {
    this.functions = createFunctions({ source, env, recorder: this.recorder });
    this.limits = limits;
  }

  get used(): Dependency[] {
    return [...this.recorder.used.values()];
  }

  get missing(): Dependency[] {
    return [...this.recorder.missing.values()];
  }

  get hasMissing(): boolean {
    return this.recorder.missing.size > 0;
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
