/**
 * Turning whatever Handlebars throws into one-line TemplateErrors with the
 * template's name, line and column. Handlebars' own messages are never passed
 * through as they are: a strict-mode lookup message ends with the value it
 * looked in (which can be a secret) and a parse error quotes the source.
 */
import type { HelperOptions } from "handlebars";
import { TemplateError } from "./template-error.ts";
import { HelperError } from "./secret-helpers.ts";
import { LimitExceeded } from "./render-state.ts";

export interface Position {
  line: number;
  /** 1-based, like the Go engine's positions */
  column: number;
}

interface JisonLocation {
  first_line?: number;
  first_column?: number;
}

/**
 * A parse error from Handlebars' generated parser. Its message is
 * "Parse error on line N:\n<source excerpt>\n---^\nExpecting ..., got ...";
 * the exact position is where the lexer stopped.
 */
export function parseError(name: string, err: unknown, lexerLocation: unknown): TemplateError {
  const message = err instanceof Error ? err.message : String(err);
  const loc = (lexerLocation ?? {}) as JisonLocation;
  const fromMessage = /on line (\d+)/.exec(message);
  const line = loc.first_line ?? (fromMessage ? Number(fromMessage[1]) : 1);
  const column = (loc.first_column ?? 0) + 1;
  const located = err as { lineNumber?: number; column?: number };
  const lines = message.split("\n");
  const expecting = lines.find((l) => l.startsWith("Expecting "));
  // Errors raised after parsing (unmatched block names) carry their own position.
  if (typeof located.lineNumber === "number" && typeof located.column === "number") {
    const what = message.replace(/ - \d+:\d+$/, "");
    return new TemplateError(
      name,
      { line: located.lineNumber, column: located.column + 1 },
      `syntax error: ${what}`,
      { cause: err },
    );
  }
  return new TemplateError(
    name,
    { line, column },
    `syntax error: ${describeExpecting(expecting)}`,
    {
      cause: err,
    },
  );
}

/** "Expecting 'A', 'B', got 'EOF'" in a few words a template author can act on. */
function describeExpecting(expecting: string | undefined): string {
  if (!expecting) return "unexpected text";
  const got = /got '([^']*)'$/.exec(expecting)?.[1] ?? "";
  if (got === "EOF") return "unexpected end of template (an unclosed {{#block}}?)";
  const wanted = [...expecting.matchAll(/'([^']*)'/g)].map((m) => m[1]).slice(0, -1);
  const list = wanted.length > 4 ? `${wanted.slice(0, 4).join(", ")}, ...` : wanted.join(", ");
  return `unexpected ${got || "text"}, expected ${list}`;
}

function helperPosition(options: HelperOptions | undefined): Position | undefined {
  const loc = (options as { loc?: { start?: { line: number; column: number } } } | undefined)?.loc;
  return loc?.start ? { line: loc.start.line, column: loc.start.column + 1 } : undefined;
}

/** A runtime failure during `template(context)` as a TemplateError without secret text. */
export function renderError(name: string, err: unknown): TemplateError {
  if (err instanceof TemplateError) return err;
  if (err instanceof HelperError) {
    return new TemplateError(name, helperPosition(err.options), `${err.helper}: ${err.message}`, {
      cause: err,
    });
  }
  if (err instanceof LimitExceeded) {
    return new TemplateError(name, undefined, `stopped: ${err.message}`, { cause: err });
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new TemplateError(
      name,
      undefined,
      "stopped: recursion too deep (a partial that includes itself?)",
      { cause: err },
    );
  }
  const located = err as { lineNumber?: number; column?: number; message?: string };
  const position =
    typeof located.lineNumber === "number" && typeof located.column === "number"
      ? { line: located.lineNumber, column: located.column + 1 }
      : undefined;
  const message = typeof located.message === "string" ? located.message : "";
  const missingKey = /^"(.*?)" not defined in /s.exec(message);
  if (missingKey) {
    return new TemplateError(name, position, `missing key "${missingKey[1]}"`, { cause: err });
  }
  const missingHelper = /^Missing helper: "(.*)"/.exec(message);
  if (missingHelper) {
    return new TemplateError(name, position, `function "${missingHelper[1]}" not defined`, {
      cause: err,
    });
  }
  if (err instanceof TypeError && /Cannot use 'in' operator/.test(message)) {
    // strict mode looked up a field on a string or number
    return new TemplateError(name, position, "missing key: a field of a value that has no fields", {
      cause: err,
    });
  }
  const kind = err instanceof Error ? err.name : "error";
  return new TemplateError(name, position, `render failed (${kind})`, { cause: err });
}
