/**
 * Turning whatever Handlebars throws into the one-line TemplateErrors both
 * engines use (`template: NAME:LINE:COL: what failed`, column as Go counts
 * it: 0-based, in bytes). Handlebars' own messages are never passed through
 * as they are: a strict-mode lookup message ends with the value it looked in
 * (which can be a secret) and a parse error quotes the template's source.
 */
import type { HelperOptions } from "handlebars";
import { TEMPLATE_EXEC, TEMPLATE_LIMIT, TEMPLATE_PARSE, TemplateError } from "../errors.ts";
import type { TemplateErrorCode } from "../errors.ts";
import { HelperError } from "./library-helpers.ts";
import { LimitExceeded } from "./render-state.ts";

/** A position as Handlebars reports it: 1-based line, 0-based column in characters. */
export interface HandlebarsPosition {
  line: number;
  column: number;
}

/** Go's column: bytes (UTF-8) before the position on its line. */
function byteColumn(text: string, position: HandlebarsPosition): number {
  const line = text.split("\n")[position.line - 1] ?? "";
  return Buffer.byteLength(line.slice(0, position.column), "utf8");
}

export function templateError(
  code: TemplateErrorCode,
  name: string,
  text: string,
  position: HandlebarsPosition | undefined,
  detail: string,
  cause: unknown,
): TemplateError {
  if (!position) {
    return new TemplateError(
      code,
      `template: ${name}: ${detail}`,
      { template: name, line: 0, column: 0, detail },
      { cause },
    );
  }
  const column = byteColumn(text, position);
  return new TemplateError(
    code,
    `template: ${name}:${position.line}:${column}: ${detail}`,
    { template: name, line: position.line, column, detail },
    { cause },
  );
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
export function parseError(
  name: string,
  text: string,
  err: unknown,
  lexerLocation: unknown,
): TemplateError {
  const message = err instanceof Error ? err.message : String(err);
  const located = err as { lineNumber?: number; column?: number };
  // Errors raised after parsing (unmatched block names) carry their own position.
  if (typeof located.lineNumber === "number" && typeof located.column === "number") {
    const what = message.replace(/ - \d+:\d+$/, "");
    const position = { line: located.lineNumber, column: located.column };
    return templateError(TEMPLATE_PARSE, name, text, position, `syntax error: ${what}`, err);
  }
  const loc = (lexerLocation ?? {}) as JisonLocation;
  const fromMessage = /on line (\d+)/.exec(message);
  const position = {
    line: loc.first_line ?? (fromMessage ? Number(fromMessage[1]) : 1),
    column: loc.first_column ?? 0,
  };
  const expecting = message.split("\n").find((l) => l.startsWith("Expecting "));
  const detail = `syntax error: ${describeExpecting(expecting)}`;
  return templateError(TEMPLATE_PARSE, name, text, position, detail, err);
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

function helperPosition(options: HelperOptions | undefined): HandlebarsPosition | undefined {
  const loc = (options as { loc?: { start?: HandlebarsPosition } } | undefined)?.loc;
  return loc?.start ? { line: loc.start.line, column: loc.start.column } : undefined;
}

/** A runtime failure during `template(context)` as a TemplateError without secret text. */
export function renderError(name: string, text: string, err: unknown): TemplateError {
  if (err instanceof TemplateError) return err;
  const fail = (
    code: TemplateErrorCode,
    position: HandlebarsPosition | undefined,
    detail: string,
  ) => templateError(code, name, text, position, detail, err);
  if (err instanceof HelperError) {
    return fail(TEMPLATE_EXEC, helperPosition(err.options), `${err.helper}: ${err.message}`);
  }
  if (err instanceof LimitExceeded)
    return fail(TEMPLATE_LIMIT, undefined, `stopped: ${err.message}`);
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return fail(
      TEMPLATE_LIMIT,
      undefined,
      "stopped: recursion too deep (a partial that includes itself?)",
    );
  }
  const located = err as { lineNumber?: number; column?: number; message?: string };
  const position =
    typeof located.lineNumber === "number" && typeof located.column === "number"
      ? { line: located.lineNumber, column: located.column }
      : undefined;
  const message = typeof located.message === "string" ? located.message : "";
  const missingKey = /^"(.*?)" not defined in /s.exec(message);
  if (missingKey) return fail(TEMPLATE_EXEC, position, `missing key "${missingKey[1]}"`);
  const missingHelper = /^Missing helper: "(.*)"/.exec(message);
  if (missingHelper) {
    return fail(TEMPLATE_EXEC, position, `function "${missingHelper[1]}" not defined`);
  }
  if (err instanceof TypeError && /Cannot use 'in' operator/.test(message)) {
    // strict mode looked up a field on a string or number
    return fail(TEMPLATE_EXEC, position, "missing key: a field of a value that has no fields");
  }
  const kind = err instanceof Error ? err.name : "error";
  return fail(TEMPLATE_EXEC, position, `render failed (${kind})`);
}
