import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import { TemplateError } from "../../../agent/template/errors.ts";
import { goEngine } from "../../../agent/template/go/engine.ts";
import { handlebarsEngine } from "../../../agent/template/handlebars/engine.ts";
import type { TemplateEngine } from "../../../agent/template/types.ts";
import { recordedSource, testEnv } from "../../agent/template/recorded.ts";

/**
 * Property bodies run in a worker by templates.test.ts. Each template is
 * compiled and rendered with the default limits (what the agent uses): it
 * renders or fails with a TemplateError, never another exception.
 */

function renderOrTemplateError(engine: TemplateEngine, text: string): void {
  try {
    engine.compile(text, { name: "hostile" }).render(recordedSource(), testEnv());
  } catch (err) {
    assert.ok(
      err instanceof TemplateError,
      `${engine.name}: not a TemplateError: ${String((err as Error)?.stack ?? err).slice(0, 400)}`,
    );
  }
}

const depth = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(1000, 5000, 50_000));

/** Go: deep nesting of blocks, parentheses and pipelines. */
export function goDeepNesting(): void {
  const shapes = [
    (d: number) => "{{if true}}".repeat(d) + "x" + "{{end}}".repeat(d),
    (d: number) => "{{with .}}".repeat(d) + "{{end}}".repeat(d),
    (d: number) => '{{range $i := split "," "a"}}'.repeat(d) + "{{end}}".repeat(d),
    (d: number) => "{{" + "(".repeat(d) + "1" + ")".repeat(d) + "}}",
    (d: number) => "{{ 1" + " | print".repeat(d) + " }}",
    (d: number) => "{{if true}}".repeat(d),
    (d: number) => "{{".repeat(d),
  ];
  fc.assert(
    fc.property(fc.constantFrom(...shapes), depth, (shape, d) =>
      renderOrTemplateError(goEngine, shape(d)),
    ),
    { numRuns: 30 },
  );
}

/** Go: recursion through define/template, direct, mutual and doubling. */
export function goRecursion(): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 3 }),
      (levels, fanout) => {
        let text = '{{define "t0"}}0123456789abcdef{{end}}';
        for (let i = 1; i <= levels; i++)
          text += `{{define "t${i}"}}${`{{template "t${i - 1}" .}}`.repeat(fanout)}{{end}}`;
        renderOrTemplateError(goEngine, text + `{{template "t${levels}" .}}`);
        renderOrTemplateError(
          goEngine,
          '{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "a" .}}{{end}}{{template "a" .}}',
        );
        renderOrTemplateError(
          goEngine,
          '{{define "a"}}x{{template "a" .}}{{end}}{{template "a" .}}',
        );
      },
    ),
    { numRuns: 20 },
  );
}

/** Go: loops nested over large lists (huge output or too many steps). */
export function goHugeOutput(): void {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 400 }), (nest, width) => {
      const list = `{{$l := split "," "${",".repeat(width - 1)}"}}`;
      renderOrTemplateError(
        goEngine,
        list + "{{range $l}}".repeat(nest) + "0123456789abcdef".repeat(8) + "{{end}}".repeat(nest),
      );
    }),
    { numRuns: 30 },
  );
}

/** Handlebars: deep nesting, partial recursion (direct and doubling) and huge output. */
export function handlebarsHostile(): void {
  fc.assert(
    fc.property(
      depth,
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 400 }),
      (d, levels, width) => {
        renderOrTemplateError(
          handlebarsEngine,
          "{{#if true}}".repeat(d) + "x" + "{{/if}}".repeat(d),
        );
        renderOrTemplateError(handlebarsEngine, "{{#each this}}".repeat(d) + "{{/each}}".repeat(d));
        renderOrTemplateError(
          handlebarsEngine,
          "{{" + "(".repeat(Math.min(d, 2000)) + "x" + ")".repeat(Math.min(d, 2000)) + "}}",
        );
        renderOrTemplateError(handlebarsEngine, '{{#*inline "a"}}x{{> a}}{{/inline}}{{> a}}');
        let text = '{{#*inline "p0"}}0123456789abcdef{{/inline}}';
        for (let i = 1; i <= levels; i++)
          text += `{{#*inline "p${i}"}}{{> p${i - 1}}}{{> p${i - 1}}}{{/inline}}`;
        renderOrTemplateError(handlebarsEngine, text + `{{> p${levels}}}`);
        const list = `(split "${",".repeat(width - 1)}" ",")`;
        renderOrTemplateError(
          handlebarsEngine,
          `{{#each ${list}}}{{#each ${list}}}{{#each ${list}}}0123456789abcdef{{/each}}{{/each}}{{/each}}`,
        );
      },
    ),
    { numRuns: 10 },
  );
}

/**
 * Go: actions closed by a trim marker after any kind of space (newline, tab,
 * carriage return) and text around them. A lexer that steps back over the
 * space before " -}}" without taking the marker would loop forever.
 */
export function goTrimMarkers(): void {
  const piece = fc.constantFrom(
    "{{",
    "{{-",
    "}}",
    "-}}",
    " ",
    "\n",
    "\t",
    "\r",
    "x",
    ".",
    ",",
    "-",
    "1",
    '"s"',
    "eq",
    "/*",
    "*/",
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 20 }), (parts) =>
      renderOrTemplateError(goEngine, parts.join("")),
    ),
    { numRuns: 3000 },
  );
}
