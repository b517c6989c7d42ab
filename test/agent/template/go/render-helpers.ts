import { goEngine } from "../../../../agent/template/go/engine.ts";
import type { CompileOptions, DataSource, RenderResult } from "../../../../agent/template/types.ts";
import { recordedSource, testEnv } from "../recorded.ts";

/** Compile and render once against the recorded store; returns the whole result. */
export function renderResult(
  text: string,
  options: Partial<CompileOptions> = {},
  source: DataSource = recordedSource(),
): RenderResult {
  return goEngine.compile(text, { name: "t", ...options }).render(source, testEnv());
}

/** The output of a render that must not be missing anything. */
export function render(text: string, options: Partial<CompileOptions> = {}): string {
  const r = renderResult(text, options);
  if (r.missing.length)
    throw new Error(`unexpected missing: ${r.missing.map((d) => d.key).join(", ")}`);
  return r.output;
}

/** The error a render throws (compile or execute). */
export function renderError(
  text: string,
  options: Partial<CompileOptions> = {},
): Error & { code: string } {
  try {
    renderResult(text, options);
  } catch (e) {
    return e as Error & { code: string };
  }
  throw new Error("expected an error");
}
