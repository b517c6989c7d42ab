/**
 * The Handlebars engine: the second template language, chosen per template
 * (`engine = "handlebars"` in a template block, or the annotation). It records
 * and resolves secrets exactly like the Go engine and offers the same function
 * library and Go builtins as helpers (see library-helpers.ts, builtins.ts).
 *
 * Choices, and why:
 * - Own Handlebars environments (`Handlebars.create()`): one per engine that
 *   holds every helper and validates templates, and one per compiled template
 *   with just the helpers it uses (renders stay cheap); helpers registered
 *   here never leak into, or get replaced by, other code using the package.
 * - `noEscape: true`: output is a file for a program (env files, JSON, PEM),
 *   not HTML, so `&`, `<` and quotes must reach it unchanged; `{{x}}` and
 *   `{{{x}}}` print the same. (With it, Handlebars would add adjacent
 *   numbers; see string-compiler.ts.)
 * - `strict` follows error_on_missing_key: a missing field fails the render
 *   naming the key, wherever it is used (printed, tested by `if`, looped over
 *   by `each`, passed to a helper), as in Go; without it a missing field
 *   prints nothing (Handlebars' own behaviour, where Go prints `<no value>`).
 * - Unknown helpers are rejected when compiling (as Go rejects unknown
 *   functions when parsing), not at the first render.
 * - `log` is removed: it would print template values, i.e. secrets, to stdout.
 * - Go's custom delimiters have no Handlebars equivalent; asking for them is
 *   a compile error rather than a silently different template.
 * - Limits: a template too large or nested too deeply is refused before
 *   parsing; a render stops with an error after too many loop iterations,
 *   too much output, or recursion too deep (a partial including itself).
 */
import Handlebars from "handlebars";
import type { HelperDelegate, HelperOptions } from "handlebars";
import type {
  CompileOptions,
  CompiledTemplate,
  DataSource,
  RenderEnvironment,
  RenderResult,
  TemplateEngine,
} from "../types.ts";
import { TEMPLATE_LIMIT, TEMPLATE_PARSE } from "../errors.ts";
import { isMap, sortedKeys } from "../functions/values.ts";
import { createBuiltinHelpers } from "./builtins.ts";
import { parseError, renderError, templateError } from "./errors.ts";
import { callLibrary, LIBRARY_NAMES } from "./library-helpers.ts";
import { DEFAULT_LIMITS, LimitExceeded, RenderState } from "./render-state.ts";
import type { HandlebarsLimits } from "./render-state.ts";
import { useStringAppendingCompiler } from "./string-compiler.ts";
import { findUnknownHelper, markArgumentsStrict, referencedNames } from "./validate.ts";

export type { HandlebarsLimits } from "./render-state.ts";

export interface HandlebarsEngineOptions {
  limits?: Partial<HandlebarsLimits>;
}

type HandlebarsEnv = ReturnType<typeof Handlebars.create>;

const DEFAULT_DELIMITERS = ["{{", "}}"] as const;
/** Handlebars' @-variables, which a helper of the same name would shadow */
const DATA_VARIABLES = new Set(["index", "key", "first", "last", "root", "level"]);

export function createHandlebarsEngine(options: HandlebarsEngineOptions = {}): TemplateEngine {
  const limits: HandlebarsLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const hb = Handlebars.create();
  useStringAppendingCompiler(hb);
  let current: RenderState | undefined;
  const state = (): RenderState => {
    if (!current) throw new Error("a helper ran outside a render");
    return current;
  };
  registerHelpers(hb, state);

  return {
    name: "handlebars",
    compile(text: string, compileOptions: CompileOptions): CompiledTemplate {
      const name = compileOptions.name;
      rejectCustomDelimiters(compileOptions);
      checkTemplateSize(text, name, limits);
      let ast: ReturnType<HandlebarsEnv["parse"]>;
      try {
        ast = hb.parse(text);
      } catch (err) {
        // The generated parser is synchronous and shared: right after it throws,
        // its lexer still holds the position where it stopped.
        const parser = (hb as unknown as { Parser?: { lexer?: { yylloc?: unknown } } }).Parser;
        if (err instanceof RangeError) {
          const detail = "stopped: blocks nested too deeply to parse";
          throw templateError(TEMPLATE_LIMIT, name, text, undefined, detail, err);
        }
        throw parseError(name, text, err, parser?.lexer?.yylloc);
      }
      const unknown = findUnknownHelper(ast, (helper) => helper in hb.helpers);
      if (unknown) {
        const detail = `function "${unknown.name}" not defined`;
        throw templateError(TEMPLATE_PARSE, name, text, unknown.position, detail, undefined);
      }
      if (compileOptions.errorOnMissingKey) markArgumentsStrict(ast);
      const template = templateEnvironment(hb, referencedNames(ast), state).compile(ast, {
        noEscape: true,
        strict: compileOptions.errorOnMissingKey === true,
      });
      return {
        render(source: DataSource, env: RenderEnvironment): RenderResult {
          const renderState = new RenderState(source, env, limits);
          const previous = current;
          current = renderState;
          let output: string;
          try {
            output = template({});
          } catch (err) {
            // With a dependency still missing, the placeholders can make a
            // correct template fail (strict mode, a path from another secret);
            // the output is discarded anyway and the next pass tells.
            if (renderState.hasMissing && !(err instanceof LimitExceeded)) {
              return { output: "", used: renderState.used, missing: renderState.missing };
            }
            throw renderError(name, text, err);
          } finally {
            current = previous;
          }
          if (Buffer.byteLength(output, "utf8") > limits.maxOutputBytes) {
            throw renderError(
              name,
              text,
              new LimitExceeded(`output larger than ${limits.maxOutputBytes} bytes`),
            );
          }
          return { output, used: renderState.used, missing: renderState.missing };
        },
      };
    },
  };
}

/**
 * A Handlebars environment holding only the helpers one template refers to.
 * Handlebars wraps every registered helper again on each render, so a
 * template carrying the whole library (~80 helpers) would pay for all of
 * them every time; this keeps a render's cost proportional to the template.
 */
function templateEnvironment(
  full: HandlebarsEnv,
  names: ReadonlySet<string>,
  state: () => RenderState,
): HandlebarsEnv {
  const env = Handlebars.create();
  useStringAppendingCompiler(env);
  guardPartials(env, state);
  env.unregisterHelper("log");
  for (const name of names) {
    const helper = full.helpers[name];
    if (helper && name !== "log") env.registerHelper(name, helper);
  }
  return env;
}

/**
 * Partials with a budget, like `each`: inline partials that each call the
 * previous one twice double the output per level, so every call counts as an
 * iteration and its output is checked, and such a template stops with a limit
 * error at once instead of running for minutes. Only this environment's VM is
 * replaced; the package's shared runtime is left alone.
 */
function guardPartials(env: HandlebarsEnv, state: () => RenderState): void {
  const vm = env.VM as unknown as { invokePartial: (...args: unknown[]) => unknown };
  const invoke = vm.invokePartial;
  const guarded = function (this: unknown, ...args: unknown[]): unknown {
    const s = state();
    s.countIteration();
    const out = invoke.apply(this, args);
    if (typeof out === "string") s.checkOutputSize(out.length);
    return out;
  };
  (env as unknown as { VM: unknown }).VM = { ...vm, invokePartial: guarded };
}

/** The engine with the default limits. */
export const handlebarsEngine: TemplateEngine = createHandlebarsEngine();

/**
 * Refuses templates too large or too deeply nested before Handlebars parses
 * them: its parser's time grows with the square of the nesting depth (and
 * overflows the stack a little further), so a limit keeps compiling fast.
 */
function checkTemplateSize(text: string, name: string, limits: HandlebarsLimits): void {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > limits.maxTemplateBytes) {
    const detail = `stopped: template of ${bytes} bytes is larger than ${limits.maxTemplateBytes}`;
    throw templateError(TEMPLATE_LIMIT, name, text, undefined, detail, undefined);
  }
  let depth = 0;
  for (const match of text.matchAll(/\{\{~?\s*([#/])/g)) {
    depth = match[1] === "#" ? depth + 1 : Math.max(0, depth - 1);
    if (depth > limits.maxNesting) {
      const detail = `stopped: blocks nested more than ${limits.maxNesting} deep`;
      throw templateError(TEMPLATE_LIMIT, name, text, undefined, detail, undefined);
    }
  }
}

function rejectCustomDelimiters(options: CompileOptions): void {
  const left = options.leftDelimiter ?? DEFAULT_DELIMITERS[0];
  const right = options.rightDelimiter ?? DEFAULT_DELIMITERS[1];
  if (left !== DEFAULT_DELIMITERS[0] || right !== DEFAULT_DELIMITERS[1]) {
    throw templateError(
      TEMPLATE_PARSE,
      options.name,
      "",
      undefined,
      "custom delimiters (left_delimiter/right_delimiter) work only with the go engine; " +
        "in Handlebars write a literal {{ as \\{{",
      undefined,
    );
  }
}

function registerHelpers(hb: HandlebarsEnv, state: () => RenderState): void {
  hb.unregisterHelper("log");
  guardEach(hb, state);
  for (const [name, helper] of Object.entries(createBuiltinHelpers(() => state().hasMissing))) {
    hb.registerHelper(name, helper as HelperDelegate);
  }
  for (const name of LIBRARY_NAMES) {
    hb.registerHelper(name, (...args: unknown[]) => {
      const options = args.pop() as HelperOptions;
      // `{{@key}}`, `{{@first}}`... go through a helper of the same name first
      if (args.length === 0 && DATA_VARIABLES.has(name)) return options.data?.[name];
      return callLibrary(name, state(), args, options);
    });
  }
}

/**
 * `each` with a budget: every iteration counts against the render's limit and
 * each loop's output is checked as it grows, so nested loops over large lists
 * stop with an error instead of exhausting memory or time. Maps are walked in
 * Go's key order (byte-wise sorted), like `range` in the Go engine: a JS
 * object would put integer-like keys first, and the order must not depend on
 * the engine.
 */
function guardEach(hb: HandlebarsEnv, state: () => RenderState): void {
  const each = hb.helpers["each"] as HelperDelegate;
  hb.registerHelper("each", function (this: unknown, context: unknown, options: HelperOptions) {
    const s = state();
    let produced = 0;
    const fn = ((...fnArgs: Parameters<HelperOptions["fn"]>) => {
      s.countIteration();
      const chunk = options.fn(...fnArgs);
      produced += chunk.length;
      s.checkOutputSize(produced);
      return chunk;
    }) as HelperOptions["fn"];
    if (!isMap(context)) return each.call(this, context, { ...options, fn });
    const keys = sortedKeys(context);
    if (keys.length === 0) return options.inverse(this);
    const data = options.data ? hb.createFrame(options.data) : undefined;
    let out = "";
    keys.forEach((key, index) => {
      const value = context[key];
      if (data)
        Object.assign(data, { key, index, first: index === 0, last: index === keys.length - 1 });
      out += fn(value, { data, blockParams: [value, key] });
    });
    return out;
  });
}
