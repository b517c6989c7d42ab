import { AgentConfigError } from "./errors.ts";
import type { Step } from "./walk.ts";

type HclParse = (filename: string, contents: string) => Promise<Record<string, unknown>>;

/**
 * HCL through @cdktf/hcl2json (HashiCorp's HCL parser compiled to
 * WebAssembly). Imported on first use only: loading it costs ~100 ms, and
 * JSON configs (what the webhook writes) never need it.
 */

// A fixed file name lets the parser's diagnostics be split reliably,
// whatever characters the real path holds.
const NAME = "vaultlet-agent-config.hcl";
const POSITION = `${NAME.replace(/\./g, "\\.")}:(\\d+),(\\d+)(?:-\\d+(?:,\\d+)?)?`;
// A diagnostic starts the message or follows the previous one's full stop;
// the name elsewhere ("already set at NAME:1,1-2") is a reference inside one.
const DIAGNOSTIC = new RegExp(`(?<=\\[|\\. |^)${POSITION}: `, "g");
const REFERENCE = new RegExp(POSITION, "g");

let parser: Promise<HclParse> | undefined;

/**
 * Deepest bracket nesting accepted. The WebAssembly parser overflows its
 * stack near a thousand levels, and after that its runtime is broken: the
 * next parse kills the whole process. Real agent configs nest a few levels.
 */
export const MAX_HCL_NESTING = 100;

export async function parseHclText(text: string, source: string): Promise<unknown> {
  checkNesting(text, source);
  parser ??= import("@cdktf/hcl2json").then((m) => m.parse);
  const parse = await parser;
  try {
    return await parse(NAME, text);
  } catch (err) {
    throw new AgentConfigError(syntaxProblems((err as Error).message, source));
  }
}

/**
 * Refuses text whose brackets ({, [, ( anywhere, in strings and comments
 * too) nest deeper than MAX_HCL_NESTING before the parser sees it. Counting
 * everything cannot be fooled by quotes or comment markers, and errs on the
 * side of refusing, which no real config comes near.
 */
function checkNesting(text: string, source: string): void {
  let depth = 0;
  let line = 1;
  for (const ch of text) {
    if (ch === "\n") line++;
    else if (ch === "{" || ch === "[" || ch === "(") {
      if (++depth > MAX_HCL_NESTING) {
        throw new AgentConfigError([
          `${source}:${line}: invalid HCL: nested more than ${MAX_HCL_NESTING} levels deep`,
        ]);
      }
    } else if (ch === "}" || ch === "]" || ch === ")") depth = Math.max(0, depth - 1);
  }
}

/** The parser's diagnostics, one line each: `agent.hcl:3:17: Summary; detail`. */
function syntaxProblems(message: string, source: string): string[] {
  const matches = [...message.matchAll(DIAGNOSTIC)];
  if (matches.length === 0) {
    // Errors from the HCL-to-JSON step carry no position.
    const reason = message.replace(/^(convert [a-zA-Z ]+: )+/, "");
    const hint = /blocks with and without labels/.test(reason)
      ? ' (write them all with a label, e.g. sink "file" { ... })'
      : "";
    return [`${source}: invalid HCL: ${reason}${hint}`];
  }
  const byPosition = (m: RegExpExecArray) => Number(m[1]) * 1e6 + Number(m[2]);
  const lines = matches.map((m, i) => {
    const end = matches[i + 1]?.index ?? message.length;
    const text = message
      .slice(m.index + m[0].length, end)
      .trim()
      .replace(/\]$/, "")
      .trim()
      .replace(REFERENCE, (_m, line: string) => `line ${line}`);
    return { at: byPosition(m), line: `${source}:${m[1]}:${m[2]}: ${text}` };
  });
  return lines.sort((a, b) => a.at - b.at).map((l) => l.line);
}

interface Entry {
  name: string;
  labels: string[];
  line: number;
  body?: Entry[];
}

/**
 * Finds the line of a key path in HCL text, so validation problems point at
 * the line to fix. The parser's JSON output has no positions, so this reads
 * the text's outline itself: block and attribute names, labels, nesting and
 * lines, skipping the values. It only locates; parsing stays the parser's.
 */
export function hclLocator(text: string): (steps: readonly Step[]) => number | undefined {
  let tree: Entry[] | undefined;
  return (steps) => {
    tree ??= outline(text);
    let body = tree;
    let line: number | undefined;
    for (const step of steps) {
      const matches = body.filter(
        (e) => e.name === step.key && (step.label === undefined || e.labels[0] === step.label),
      );
      const entry = matches[step.n] ?? matches[0];
      if (!entry) break;
      line = entry.line;
      body = entry.body ?? [];
    }
    return line;
  };
}

type Token = { kind: "word" | "punct" | "newline" | "value"; text: string; line: number };

function outline(text: string): Entry[] {
  const tokens = tokenize(text);
  let i = 0;
  const readBody = (): Entry[] => {
    const entries: Entry[] = [];
    while (i < tokens.length) {
      const t = tokens[i]!;
      if (t.kind === "newline" || t.text === ",") {
        i++;
        continue;
      }
      if (t.text === "}") {
        i++;
        return entries;
      }
      if (t.kind !== "word") {
        i++;
        continue;
      }
      const entry: Entry = { name: t.text, labels: [], line: t.line };
      i++;
      while (tokens[i]?.kind === "word") entry.labels.push(tokens[i++]!.text);
      const next = tokens[i];
      if (next?.text === "{") {
        i++;
        entry.body = readBody();
      } else if (next?.text === "=" || next?.text === ":") {
        i++;
        if (tokens[i]?.text === "{") {
          i++;
          entry.body = readBody();
        } else skipExpression();
      }
      entries.push(entry);
    }
    return entries;
  };
  const skipExpression = () => {
    let depth = 0;
    while (i < tokens.length) {
      const t = tokens[i]!;
      if (depth === 0 && (t.kind === "newline" || t.text === "," || t.text === "}")) return;
      if ("[({".includes(t.text) && t.kind === "punct") depth++;
      if ("])}".includes(t.text) && t.kind === "punct") depth--;
      i++;
    }
  };
  return readBody();
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const push = (kind: Token["kind"], value: string, at: number) =>
    tokens.push({ kind, text: value, line: at });
  while (i < text.length) {
    const ch = text[i]!;
    const rest = text.slice(i);
    if (ch === "\n") {
      push("newline", ch, line++);
      i++;
    } else if (/\s/.test(ch)) i++;
    else if (ch === "#" || rest.startsWith("//")) i = skipTo(text, i, "\n");
    else if (rest.startsWith("/*")) {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      line += countLines(text.slice(i, stop));
      i = stop;
    } else if (ch === '"') {
      const start = line;
      const { end, value } = readString(text, i);
      line += countLines(text.slice(i, end));
      push("word", value, start);
      i = end;
    } else if (/^<<-?[A-Za-z_]/.test(rest)) {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[^\n]*\n/.exec(rest);
      const start = line;
      let end = text.length;
      if (m) {
        const close = new RegExp(`^[ \\t]*${m[1]}[ \\t]*$`, "m");
        const body = text.slice(i + m[0].length);
        const found = close.exec(body);
        end = found ? i + m[0].length + found.index + found[0].length : text.length;
      }
      line += countLines(text.slice(i, end));
      push("value", "heredoc", start);
      i = end;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_\-.]*/.exec(rest)!;
      push("word", m[0], line);
      i += m[0].length;
    } else if ("{}[]()=:,".includes(ch)) {
      push("punct", ch, line);
      i++;
    } else {
      const m = /^[^\s{}[\]()=:,"#]+/.exec(rest);
      push("value", m ? m[0] : ch, line);
      i += m ? m[0].length : 1;
    }
  }
  return tokens;
}

/** A quoted string, with escapes and ${...} / %{...} interpolations. */
function readString(text: string, start: number): { end: number; value: string } {
  let i = start + 1;
  let value = "";
  while (i < text.length && text[i] !== '"' && text[i] !== "\n") {
    if (text[i] === "\\") {
      value += text[i + 1] ?? "";
      i += 2;
    } else if ((text[i] === "$" || text[i] === "%") && text[i + 1] === "{") {
      let depth = 0;
      do {
        if (text[i] === "{") depth++;
        if (text[i] === "}") depth--;
        value += text[i];
        i++;
      } while (i < text.length && depth > 0);
    } else value += text[i++];
  }
  return { end: i + 1, value };
}

function skipTo(text: string, from: number, ch: string): number {
  const at = text.indexOf(ch, from);
  return at < 0 ? text.length : at;
}

function countLines(s: string): number {
  return s.split("\n").length - 1;
}
