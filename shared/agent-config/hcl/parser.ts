import { HclSyntaxError, Lexer, normalizeNewlines, type Token, type TokenType } from "./lexer.ts";
import { floatValue, heredocValue, integerValue, unquote } from "./values.ts";

/**
 * A recursive-descent parser for HCL version 1, the grammar of Vault Agent's
 * config files:
 *
 *   body  = { item [","] }
 *   item  = key { key } "{" body "}"        a block, keys after the first are labels
 *         | key "=" value                   a setting
 *   key   = name | string
 *   value = string | heredoc | number | bool | "{" body "}" | list
 *   list  = "[" { value | "," } "]"         commas between values; extra ones allowed
 *
 * Items need no separator: `a = 1 b = 2` is two items, as in Vault.
 * It builds a small syntax tree with positions (shape.ts turns it into the
 * JSON form the config reader walks), records a setting given twice in one
 * body, and stops at the first syntax error.
 */

/** Deepest nesting of blocks, maps and lists accepted; real configs nest a few levels. */
export const MAX_HCL_NESTING = 100;

export interface Key {
  name: string;
  line: number;
  column: number;
}

export interface Literal {
  kind: "literal";
  value: string | number | boolean;
  /** the source text, e.g. 0640 for the number 416 */
  text: string;
  line: number;
}
export interface ObjectNode {
  kind: "object";
  items: Item[];
  line: number;
}
export interface ListNode {
  kind: "list";
  elements: Node[];
  line: number;
}
export type Node = Literal | ObjectNode | ListNode;

export interface Item {
  /** the name, then a block's labels */
  keys: Key[];
  /** `key = value` (true) or a block `key { }` (false) */
  assign: boolean;
  value: Node;
}

export interface Problem {
  line: number;
  column: number;
  message: string;
}

export interface ParseResult {
  items: Item[];
  /** settings given twice; parsing went on after each */
  problems: Problem[];
}

/** Parses a whole file; throws HclSyntaxError (with `problems` found before it) at the first syntax error. */
export function parse(text: string): ParseResult {
  return new Parser(normalizeNewlines(text)).file();
}

export class HclParseError extends HclSyntaxError {
  readonly earlier: Problem[];

  constructor(cause: HclSyntaxError, earlier: Problem[]) {
    super(cause.line, cause.column, cause.message);
    this.earlier = earlier;
  }
}

const LITERALS = new Set<TokenType>(["string", "heredoc", "number", "float", "bool"]);

class Parser {
  private readonly lexer: Lexer;
  private ahead: Token | undefined;
  private depth = 0;
  private readonly problems: Problem[] = [];

  constructor(text: string) {
    this.lexer = new Lexer(text);
  }

  file(): ParseResult {
    try {
      return { items: this.body(undefined), problems: this.problems };
    } catch (err) {
      if (err instanceof HclSyntaxError) throw new HclParseError(err, this.problems);
      throw err;
    }
  }

  /** Items up to "}" (inside `open`) or the end of the file (top level). */
  private body(open: Token | undefined): Item[] {
    const items: Item[] = [];
    const set = new Map<string, number>();
    for (;;) {
      const next = this.peek();
      if (next.type === "}" && open) return items;
      if (next.type === "eof") {
        if (!open) return items;
        throw this.unexpected(next, `"}" to close the "{" of line ${open.line}`);
      }
      const item = this.item();
      const name = item.keys[0]!;
      if (item.assign) {
        const first = set.get(name.name);
        if (first === undefined) set.set(name.name, name.line);
        else {
          this.problems.push({
            line: name.line,
            column: name.column,
            message: `${JSON.stringify(name.name)} is already set at line ${first}; set it once`,
          });
        }
      }
      items.push(item);
      if (this.peek().type === ",") this.take();
    }
  }

  private item(): Item {
    const keys: Key[] = [];
    while (this.peek().type === "name" || this.peek().type === "string") {
      const t = this.take();
      keys.push({ name: this.keyName(t), line: t.line, column: t.column });
    }
    const next = this.take();
    const shown = keys.map((k) => JSON.stringify(k.name)).join(" ");
    if (keys.length === 0) throw this.unexpected(next, "a key");
    if (next.type === "{") return { keys, assign: false, value: this.object(next) };
    if (next.type === "=" && keys.length > 1) {
      throw new HclSyntaxError(
        next.line,
        next.column,
        `only a block can have labels: write ${shown} { ... }, or one key before "="`,
      );
    }
    if (next.type === "=") return { keys, assign: true, value: this.value(keys[0]!) };
    throw this.unexpected(next, `"=" or "{" after key ${shown}`);
  }

  private value(key: Key): Node {
    const t = this.take();
    if (LITERALS.has(t.type)) return this.literal(t);
    if (t.type === "{") return this.object(t);
    if (t.type === "[") return this.list(t);
    throw this.unexpected(t, `a value after ${JSON.stringify(key.name)} =`);
  }

  private object(open: Token): ObjectNode {
    this.enter(open);
    const items = this.body(open);
    this.take();
    this.depth--;
    return { kind: "object", items, line: open.line };
  }

  private list(open: Token): ListNode {
    this.enter(open);
    const elements: Node[] = [];
    let needComma = false;
    for (;;) {
      const t = this.take();
      if (t.type === "]") break;
      if (t.type === "eof") throw this.unexpected(t, `"]" to close the "[" of line ${open.line}`);
      if (needComma && t.type !== ",") throw this.unexpected(t, '"," or "]" after a list element');
      if (t.type === ",") needComma = false;
      else if (LITERALS.has(t.type)) {
        elements.push(this.literal(t));
        needComma = true;
      } else if (t.type === "{") {
        elements.push(this.object(t));
        needComma = true;
      } else if (t.type === "[") {
        // as in Vault's parser, a list nested in a list needs no comma after it
        elements.push(this.list(t));
      } else throw this.unexpected(t, "a list element");
    }
    this.depth--;
    return { kind: "list", elements, line: open.line };
  }

  private literal(t: Token): Literal {
    return { kind: "literal", value: this.decode(t), text: t.text, line: t.line };
  }

  private decode(t: Token): string | number | boolean {
    try {
      if (t.type === "string") return unquote(t.text);
      if (t.type === "heredoc") return heredocValue(t.text);
      if (t.type === "number") return integerValue(t.text);
      if (t.type === "float") return floatValue(t.text);
      return t.text === "true";
    } catch (err) {
      throw new HclSyntaxError(t.line, t.column, (err as Error).message);
    }
  }

  private keyName(t: Token): string {
    return t.type === "string" ? (this.decode(t) as string) : t.text;
  }

  private enter(open: Token): void {
    if (++this.depth > MAX_HCL_NESTING) {
      throw new HclSyntaxError(
        open.line,
        open.column,
        `nested more than ${MAX_HCL_NESTING} levels deep`,
      );
    }
  }

  private peek(): Token {
    this.ahead ??= this.lexer.next();
    return this.ahead;
  }

  private take(): Token {
    const t = this.peek();
    this.ahead = undefined;
    return t;
  }

  private unexpected(found: Token, expected: string): HclSyntaxError {
    return new HclSyntaxError(
      found.line,
      found.column,
      `expected ${expected}, found ${describe(found)}`,
    );
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case "eof":
      return "the end of the file";
    case "name":
      return `name ${t.text}`;
    case "bool":
      return t.text;
    case "float":
      return "number";
    case "string":
    case "heredoc":
    case "number":
      return t.type;
    default:
      return JSON.stringify(t.type);
  }
}
