/**
 * A template that cannot be compiled or rendered: the template's name, the
 * position (1-based line and column) when known, and what failed, in one line.
 * Messages never contain secret values.
 */
import { VaultletError } from "../../../shared/errors.ts";

export interface TemplatePosition {
  line: number;
  column: number;
}

export const TEMPLATE_ERROR = "TEMPLATE_ERROR";

export class TemplateError extends VaultletError {
  readonly template: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly detail: string;

  constructor(
    template: string,
    position: TemplatePosition | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    const where = position ? `:${position.line}:${position.column}` : "";
    super(TEMPLATE_ERROR, `template ${template}${where}: ${detail}`, options);
    this.name = "TemplateError";
    this.template = template;
    this.line = position?.line;
    this.column = position?.column;
    this.detail = detail;
  }
}
