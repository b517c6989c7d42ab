import { describe, test } from "node:test";
import { HANG_BOUND_MS, runBounded } from "./bounded.ts";

/**
 * Hostile templates for both engines with the agent's default limits: deep
 * nesting, recursion through define/template and partials, huge output.
 * Each renders or fails with a TemplateError, never a crash or a hang.
 */
const props = new URL("./templates.props.ts", import.meta.url);

describe("hostile templates", () => {
  test("Go: deep nesting of blocks, parentheses and pipelines", async () => {
    await runBounded(props, "goDeepNesting", { timeoutMs: HANG_BOUND_MS });
  });
  test("Go: recursion through define/template (direct, mutual, doubling)", async () => {
    await runBounded(props, "goRecursion", { timeoutMs: HANG_BOUND_MS });
  });
  test("Go: nested loops over large lists stop at the output or step limit", async () => {
    await runBounded(props, "goHugeOutput", { timeoutMs: HANG_BOUND_MS });
  });
  test("Go: trim markers after a newline, tab or carriage return never stall the lexer", async () => {
    await runBounded(props, "goTrimMarkers", { timeoutMs: HANG_BOUND_MS });
  });
  test("Handlebars: deep nesting, partial recursion (direct and doubling), huge output", async () => {
    await runBounded(props, "handlebarsHostile", { timeoutMs: HANG_BOUND_MS });
  });
});
