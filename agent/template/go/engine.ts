/**
 * The Go-template engine (consul-template's dialect): compile once, render
 * many times against the secrets store. A render records every dependency the
 * template asked for; while any is missing, execution errors are expected
 * (the data is incomplete) and the result just lists what to fetch.
 */
import {
  TEMPLATE_EXEC,
  TEMPLATE_LIMIT,
  TEMPLATE_PARSE,
  TEMPLATE_REFUSED,
  TemplateError,
} from "../errors.ts";
import { unavailableFunction } from "../functions/unavailable.ts";
import { outsideFunctions } from "../functions/outside.ts";
import {
  createContextFunctions,
  DependencyRecorder,
  FUNCTION_NAMES,
  PURE_FUNCTIONS,
  type TemplateFunction,
} from "../functions/index.ts";
import type {
  CompileOptions,
  CompiledTemplate,
  DataSource,
  RenderEnvironment,
  RenderResult,
  TemplateEngine,
} from "../types.ts";
import { BUILTIN_NAMES, DEFAULT_LIMITS, ExecFailure, execute, type Limits } from "./exec.ts";
import { parse, ParseError, type ParsedTemplate } from "./parser.ts";
import { location } from "./location.ts";

export { location };

export type { Limits };
export { DEFAULT_LIMITS };

const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set([...BUILTIN_NAMES, ...FUNCTION_NAMES]);
const REDACTED = "[redacted]";

export function createGoEngine(limits: Partial<Limits> = {}): TemplateEngine {
  const effective: Limits = { ...DEFAULT_LIMITS, ...limits };
  return {
    name: "go",
    compile(text: string, options: CompileOptions): CompiledTemplate {
      const parsed = parseOrThrow(text, options);
      return {
        render: (source, env) => render(text, parsed, options, effective, source, env),
      };
    },
  };
}

/** The Go-template engine with default limits. */
export const goEngine: TemplateEngine = createGoEngine();

function parseOrThrow(text: string, options: CompileOptions): ParsedTemplate {
  const allowed = options.allowFunctions ?? [];
  try {
    return parse(text, {
      leftDelim: options.leftDelimiter,
      rightDelim: options.rightDelimiter,
      functions: allowed.length ? new Set([...KNOWN_FUNCTIONS, ...allowed]) : KNOWN_FUNCTIONS,
    });
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      const detail = "nesting too deep to parse";
      throw new TemplateError(TEMPLATE_PARSE, `template: ${options.name}: ${detail}`, {
        template: options.name,
        line: 0,
        column: 0,
        detail,
      });
    }
    if (!(e instanceof ParseError)) throw e;
    const { line, column } = location(text, e.pos);
    const unavailable = unavailableFunction(e.message, options.source);
    const detail = unavailable?.detail ?? e.message;
    throw new TemplateError(
      unavailable?.refused ? TEMPLATE_REFUSED : TEMPLATE_PARSE,
      `template: ${options.name}:${line}:${column}: ${detail}`,
      { template: options.name, line, column, detail },
      { cause: e },
    );
  }
}

function render(
  text: string,
  parsed: ParsedTemplate,
  options: CompileOptions,
  limits: Limits,
  source: DataSource,
  env: RenderEnvironment,
): RenderResult {
  const recorder = new DependencyRecorder();
  const bound: Record<string, TemplateFunction> = createContextFunctions({ source, env, recorder });
  if (options.allowFunctions?.length) {
    const outside: Record<string, TemplateFunction> = outsideFunctions(env.env);
    for (const name of options.allowFunctions)
      if (Object.hasOwn(outside, name)) bound[name] = outside[name]!;
  }
  const functions = (name: string) => bound[name] ?? PURE_FUNCTIONS[name];
  let output = "";
  try {
    output = execute(
      {
        name: options.name,
        root: parsed.root,
        defines: parsed.defines,
        functions,
        errorOnMissingKey: options.errorOnMissingKey ?? false,
        limits,
      },
      undefined,
    );
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new TemplateError(
        TEMPLATE_LIMIT,
        `template: ${options.name}: nesting too deep to render`,
        { template: options.name, line: 0, column: 0, detail: "nesting too deep to render" },
      );
    }
    if (!(e instanceof ExecFailure)) throw e;
    if (recorder.missing.size === 0) throw toTemplateError(e, text, options.name, recorder);
  }
  return { output, used: [...recorder.used.values()], missing: [...recorder.missing.values()] };
}

function toTemplateError(
  e: ExecFailure,
  text: string,
  name: string,
  recorder: DependencyRecorder,
): TemplateError {
  const code = e.limit ? TEMPLATE_LIMIT : TEMPLATE_EXEC;
  const detail = redact(e.message, recorder.values);
  if (e.pos === undefined) {
    return new TemplateError(code, `template: ${name}: ${detail}`, {
      template: name,
      line: 0,
      column: 0,
      detail,
    });
  }
  const { line, column } = location(text, e.pos);
  const context = redact(e.context ?? "", recorder.values);
  const message = `template: ${name}:${line}:${column}: executing ${JSON.stringify(e.templateName)} at <${context}>: ${detail}`;
  return new TemplateError(code, message, { template: name, line, column, detail });
}

/** Scrub secret values out of an error message, as consul-template does. */
export function redact(message: string, values: readonly unknown[]): string {
  const leaves = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 20 || v === null || v === undefined) return;
    if (typeof v === "string") {
      if (v.length >= 3) leaves.add(v);
    } else if (typeof v === "number" || typeof v === "bigint") {
      if (String(v).length >= 3) leaves.add(String(v));
    } else if (typeof v === "object") {
      for (const x of Object.values(v as Record<string, unknown>)) visit(x, depth + 1);
    }
  };
  for (const v of values) {
    const data =
      typeof v === "object" && v !== null && "Data" in v ? (v as { Data: unknown }).Data : v;
    visit(data, 0);
  }
  let out = message;
  for (const leaf of [...leaves].sort((a, b) => b.length - a.length))
    out = out.split(leaf).join(REDACTED);
  return out;
}
