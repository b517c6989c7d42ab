import fc from "../../../support/properties.ts";
import type { Arbitrary } from "fast-check";

/**
 * Valid HCL version 1 documents shaped like agent configs, written in the
 * many ways the language allows (quoted and bare keys, escapes,
 * interpolations, heredocs, octal and hexadecimal numbers, items on one line
 * or several, comments), for comparison with HashiCorp's parser.
 */

const KEYS = [
  "vault",
  "address",
  "auto_auth",
  "method",
  "config",
  "role",
  "sink",
  "template",
  "destination",
  "contents",
  "perms",
  "exec",
  "command",
  "env_template",
  "wait",
];

const bareName = fc.oneof(
  fc.constantFrom(...KEYS),
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.-]{0,8}$/).filter((n) => n !== "true" && n !== "false"),
);

/** A key or label: its decoded name and how it is written. */
const key = fc.oneof(
  bareName.map((name) => ({ name, text: name })),
  bareName.map((name) => ({ name, text: JSON.stringify(name) })),
  fc.string({ maxLength: 6 }).map((name) => ({ name, text: quoted([...name].map((c) => [c, 0])) })),
);

/** One character of a string and whether to write it as an escape. */
const strChar = fc.tuple(
  fc.oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
    fc.constantFrom("$", "{", "}", "\\", '"', "\n", "\t", "é", "😀", "\x01"),
  ),
  fc.nat(3),
);

function quoted(chars: [string, number][]): string {
  let out = "";
  chars.forEach(([c, style], i) => {
    const code = c.codePointAt(0)!;
    const next = chars[i + 1]?.[0];
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "$" && next === "{")
      out += "\\u0024"; // not an interpolation
    else if (code < 0x20 || style === 1) out += hexEscape(code);
    else if (style === 2 && code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (style === 3 && code < 0x80) out += `\\${code.toString(8).padStart(3, "0")}`;
    else out += c;
  });
  return `"${out}"`;
}

function hexEscape(code: number): string {
  return code > 0xffff
    ? `\\U${code.toString(16).padStart(8, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

const interpolation = fc
  .stringMatching(/^[a-z0-9 .,()"'_-]{0,10}$/)
  .map((inner) => ({ interpolation: `\${${inner}}` }));

const stringValue = fc
  .array(fc.oneof({ weight: 4, arbitrary: strChar }, { weight: 1, arbitrary: interpolation }), {
    maxLength: 10,
  })
  .map((parts) => {
    let out = "";
    let run: [string, number][] = [];
    for (const p of parts) {
      if (Array.isArray(p)) run.push(p);
      else {
        out += quoted(run).slice(1, -1) + p.interpolation;
        run = [];
      }
    }
    return `"${out}${quoted(run).slice(1, -1)}"`;
  });

const heredocLine = fc.string({ maxLength: 10 }).filter((l) => !l.includes("\n"));

const heredoc = fc
  .record({
    marker: fc.constantFrom("EOF", "EOT", "X1", "END"),
    lines: fc.array(fc.tuple(heredocLine, fc.nat(4)), { maxLength: 4 }),
    indent: fc.nat(4),
    dash: fc.boolean(),
  })
  .map(({ marker, lines, indent, dash }) => {
    const body = lines
      .filter(([l]) => !new RegExp(`^\\s*${marker}\\s*$`).test(l))
      .map(([l, extra]) => " ".repeat(dash ? Math.max(0, indent + extra - 2) : extra) + l);
    const closing = dash ? " ".repeat(indent + 1) + marker : marker;
    return `<<${dash ? "-" : ""}${marker}\n${body.map((l) => `${l}\n`).join("")}${closing}\n`;
  });

const number = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.nat(0o7777).map((n) => `0${n.toString(8)}`),
  fc
    .integer({ min: -0xffff, max: 0xffff })
    .map((n) => (n < 0 ? "-" : "") + `0x${Math.abs(n).toString(16)}`),
  // written with a fraction or exponent: a float, whatever its size
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .map(String)
    .map((s) => (/[.e]/.test(s) ? s : `${s}.0`)),
  fc.constantFrom("1.", ".5", "2e3", "1.5E-2", "0.0"),
);

const scalar = fc.oneof(stringValue, number, fc.constantFrom("true", "false"), heredoc);

/** Separators between items: a newline, a comma, nothing but a space, comments. */
const separator = fc.constantFrom("\n", ", ", " ", "\n\n# note\n", " /* c */ ", " // c\n", ",\n");

function value(depth: number): Arbitrary<string> {
  if (depth <= 0) return scalar;
  return fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: list(depth - 1) },
    { weight: 1, arbitrary: body(depth - 1).map((b) => `{${b}}`) },
  );
}

function list(depth: number): Arbitrary<string> {
  return fc
    .record({
      elements: fc.array(value(depth), { maxLength: 4 }),
      trailing: fc.boolean(),
      newlines: fc.boolean(),
    })
    .map(({ elements, trailing, newlines }) => {
      const sep = newlines ? ",\n" : ", ";
      const inner = elements.join(sep) + (trailing && elements.length > 0 ? "," : "");
      return `[${newlines ? "\n" : ""}${inner}${newlines ? "\n" : ""}]`;
    });
}

type Item = { kind: "set"; key: { name: string; text: string }; value: string } | Block;
type Block = {
  kind: "block";
  key: { name: string; text: string };
  labels: { text: string }[];
  body: string;
};

function item(depth: number): Arbitrary<Item> {
  const setting = fc.record({ kind: fc.constant("set" as const), key, value: value(depth) });
  if (depth <= 0) return setting;
  const block = fc.record({
    kind: fc.constant("block" as const),
    key,
    labels: fc.array(key, { maxLength: 2 }),
    body: body(depth - 1),
  });
  return fc.oneof(setting, block);
}

/** Items of one body; settings get names of their own, as a valid file needs. */
function body(depth: number): Arbitrary<string> {
  return fc
    .tuple(
      fc.array(item(depth), { maxLength: 5 }),
      fc.array(separator, { minLength: 6, maxLength: 6 }),
    )
    .map(([items, seps]) => {
      const settings = new Set<string>();
      const blocks = new Set<string>();
      const texts = items.map((it, i) => {
        let { name, text } = it.key;
        const taken = settings.has(name) || (it.kind === "set" && blocks.has(name));
        if (taken) {
          name = `${name}_${i}`;
          text = JSON.stringify(name);
        }
        (it.kind === "set" ? settings : blocks).add(name);
        if (it.kind === "set") return `${text} = ${it.value}`;
        return `${[text, ...it.labels.map((l) => l.text)].join(" ")} {${it.body}}`;
      });
      return "\n" + texts.map((t, i) => t + seps[i % seps.length]).join("") + "\n";
    });
}

export const hclDocument: Arbitrary<string> = body(3);

const INSERTS = [
  "{",
  "}",
  "[",
  "]",
  "=",
  '"',
  "\n",
  "#",
  "/",
  "<",
  "-",
  ",",
  ".",
  "\\",
  "$",
  "0",
  "x",
];

/** One character deleted or inserted somewhere in one of `docs` (whole characters: a file is UTF-8). */
export function mutated(docs: string[]): Arbitrary<string> {
  return fc
    .record({
      doc: fc.constantFrom(...docs),
      at: fc.nat(),
      insert: fc.option(fc.constantFrom(...INSERTS)),
    })
    .map(({ doc, at, insert }) => {
      const chars = [...doc];
      const i = at % (chars.length + 1);
      chars.splice(i, insert === null ? 1 : 0, ...(insert === null ? [] : [insert]));
      return chars.join("");
    });
}
