import { VaultletError } from "../../shared/errors.ts";

export const TEMPLATE_PARSE = "TEMPLATE_PARSE";
export const TEMPLATE_EXEC = "TEMPLATE_EXEC";
export const TEMPLATE_LIMIT = "TEMPLATE_LIMIT";
/** the template calls a function that is off by default and not allowed (writeToFile, plugin) */
export const TEMPLATE_REFUSED = "TEMPLATE_REFUSED";

export type TemplateErrorCode =
  typeof TEMPLATE_PARSE | typeof TEMPLATE_EXEC | typeof TEMPLATE_LIMIT | typeof TEMPLATE_REFUSED;

/**
 * A template failed to parse or render. The message is one line in Go's
 * text/template style (`template: NAME:LINE:COL: ...`) so users recognise it;
 * `line` and `column` (1-based line, 0-based byte column as Go reports it)
 * are also typed fields. Messages never carry secret values.
 */
export class TemplateError extends VaultletError {
  readonly template: string;
  readonly line: number;
  readonly column: number;
  /** what failed, without the location prefix */
  readonly detail: string;

  constructor(
    code: TemplateErrorCode,
    message: string,
    where: { template: string; line: number; column: number; detail: string },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = "TemplateError";
    this.template = where.template;
    this.line = where.line;
    this.column = where.column;
    this.detail = where.detail;
  }
}
