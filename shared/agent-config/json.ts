import { AgentConfigError } from "./errors.ts";
import type { Step } from "./walk.ts";
import { parseJson } from "../json.ts";

/**
 * JSON.parse with an error a user can act on: `file:line:column: reason`.
 * V8's message quotes a slice of the text, which is dropped here (config
 * files are not secret, but an error line is no place for file contents),
 * and it gives no position for some mistakes, so the position is found by
 * a small scan of the text instead.
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return parseJson(text);
  } catch (err) {
    const reason = (err as Error).message
      .replace(/, .*is not valid JSON$/s, "")
      .replace(/ in JSON at position \d+.*$/s, "")
      .replace(/ \(line \d+ column \d+\)$/, "");
    const { line, column } = lineAndColumn(
      text,
      withinStack(() => firstErrorOffset(text), 0),
    );
    throw new AgentConfigError([`${source}:${line}:${column}: invalid JSON: ${reason}`]);
  }
}

/**
 * The position finders below recurse once per nesting level; a document
 * nested thousands deep (JSON.parse itself copes) would overflow the stack,
 * so such a document's problems are reported without a line instead.
 */
function withinStack<T>(find: () => T, fallback: T): T {
  try {
    return find();
  } catch (err) {
    if (err instanceof RangeError) return fallback;
    throw err;
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** Offset of the first character that makes `text` invalid JSON. */
function firstErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const expect = (ch: string) => (text[i] === ch ? i++ : fail());
  const string = () => {
    expect('"');
    while (text[i] !== '"') {
      if (i >= text.length || text.charCodeAt(i) < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail();
      }
      i++;
    }
    i++;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        string();
        ws();
        expect(":");
        value();
        ws();
        if (text[i] === "}") return void i++;
        expect(",");
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === "]") return void i++;
        expect(",");
      }
    }
    if (ch === '"') return string();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === "number") return Math.min(at, text.length);
    throw at;
  }
  return text.length;
}

type JsonNode =
  | { kind: "object"; line: number; entries: { key: string; line: number; value: JsonNode }[] }
  | { kind: "array"; line: number; items: JsonNode[] }
  | { kind: "scalar"; line: number };

/**
 * Finds the line of a key path in valid JSON text, so validation problems in
 * JSON configs point at a line too. A step's label selects Vault's labelled
 * form (`"sink": {"file": [...]}`), its n the n-th such block.
 */
export function jsonLocator(text: string): (steps: readonly Step[]) => number | undefined {
  let root: JsonNode | null | undefined;
  return (steps) => {
    if (root === undefined) root = withinStack<JsonNode | null>(() => outline(text), null);
    if (root === null) return undefined;
    let node = root;
    let line: number | undefined;
    for (const step of steps) {
      if (node.kind !== "object") break;
      const entry = node.entries.findLast((e) => e.key === step.key);
      if (!entry) break;
      line = entry.line;
      let candidates = blocks(entry.value);
      if (step.label !== undefined) {
        candidates = candidates.flatMap((c) =>
          c.kind === "object"
            ? c.entries.filter((e) => e.key === step.label).flatMap((e) => blocks(e.value))
            : [],
        );
      }
      const target = candidates[step.n];
      if (!target) break;
      if (target !== entry.value) line = target.line;
      node = target;
    }
    return line;
  };
}

function blocks(node: JsonNode): JsonNode[] {
  return node.kind === "array" ? node.items : [node];
}

/** The shape of valid JSON with the line each value and key starts on. */
function outline(text: string): JsonNode {
  let i = 0;
  let line = 1;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) if (text[i++] === "\n") line++;
  };
  const string = (): string => {
    const start = i;
    for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
    i++;
    return parseJson(text.slice(start, i)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const at = line;
    if (text[i] === "{") {
      i++;
      const entries: { key: string; line: number; value: JsonNode }[] = [];
      for (ws(); text[i] !== "}"; ws()) {
        if (text[i] === ",") i++;
        ws();
        const keyLine = line;
        const key = string();
        ws();
        i++; // the colon
        entries.push({ key, line: keyLine, value: value() });
      }
      i++;
      return { kind: "object", line: at, entries };
    }
    if (text[i] === "[") {
      i++;
      const items: JsonNode[] = [];
      for (ws(); text[i] !== "]"; ws()) {
        if (text[i] === ",") i++;
        items.push(value());
      }
      i++;
      return { kind: "array", line: at, items };
    }
    if (text[i] === '"') string();
    else while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return { kind: "scalar", line: at };
  };
  return value();
}
