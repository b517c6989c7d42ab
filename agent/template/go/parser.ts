/**
 * Parser for Go's text/template (grammar in ast.ts). Mirrors Go's checks:
 * unknown functions, undefined variables, `{{break}}` outside `range`,
 * missing `{{end}}`, and reports them at the token's position.
 */
import { GoStringError, unquoteGo, unquoteGoRune } from "../../../shared/go-string.ts";
import type {
  Arg,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  StringNode,
  VariableNode,
} from "./ast.ts";
import { lex, LexError, type Token } from "./lexer.ts";

export class ParseError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.pos = pos;
  }
}

export interface ParsedTemplate {
  root: ListNode;
  /** templates from define/block, by name (the last definition wins, as in Go) */
  defines: Map<string, ListNode>;
}

type Control = { type: "end"; pos: number } | { type: "else"; pos: number };

export function parse(
  text: string,
  options: { leftDelim?: string; rightDelim?: string; functions: ReadonlySet<string> },
): ParsedTemplate {
  let tokens: Token[];
  try {
    tokens = lex(text, options.leftDelim, options.rightDelim);
  } catch (err) {
    if (err instanceof LexError) throw new ParseError(err.message, err.pos);
    throw err;
  }
  return new Parser(tokens, options.functions).parseAll();
}

function describe(t: Token): string {
  if (t.type === "eof") return "EOF";
  if (t.type === "keyword") return `<${t.value}>`;
  const q = JSON.stringify(t.value);
  return t.value.length > 10 ? JSON.stringify(t.value.slice(0, 10)) + "..." : q;
}

class Parser {
  private readonly tokens: Token[];
  private readonly functions: ReadonlySet<string>;
  private i = 0;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private readonly defines = new Map<string, ListNode>();

  constructor(tokens: Token[], functions: ReadonlySet<string>) {
    this.tokens = tokens;
    this.functions = functions;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== "eof") this.i++;
    return t;
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === "space") t = this.next();
    return t;
  }
  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }
  private fail(message: string, pos: number): never {
    throw new ParseError(message, pos);
  }
  private unexpected(t: Token, context: string): never {
    this.fail(`unexpected ${describe(t)} in ${context}`, t.pos);
  }
  private expect(type: Token["type"], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  parseAll(): ParsedTemplate {
    const root: ListNode = { type: "list", pos: 0, nodes: [] };
    while (this.peek().type !== "eof") {
      if (this.peek().type === "left") {
        const save = this.i;
        this.next();
        const t = this.nextNonSpace();
        if (t.type === "keyword" && t.value === "define") {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.fail(`unexpected {{${n.type}}}`, n.pos);
      root.nodes.push(n);
    }
    return { root, defines: this.defines };
  }

  private withFreshScope<T>(fn: () => T): T {
    const vars = this.vars;
    const depth = this.rangeDepth;
    this.vars = ["$"];
    this.rangeDepth = 0;
    try {
      return fn();
    } finally {
      this.vars = vars;
      this.rangeDepth = depth;
    }
  }

  private parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== "string" && nameTok.type !== "rawString")
      this.unexpected(nameTok, context);
    const name = unquote(nameTok);
    this.expect("right", context);
    this.withFreshScope(() => {
      const [list, end] = this.itemList();
      if (end.type !== "end") this.fail(`unexpected {{${end.type}}} in ${context}`, end.pos);
      this.defines.set(name, list);
    });
  }

  private itemList(): [ListNode, Control] {
    const list: ListNode = { type: "list", pos: this.peek().pos, nodes: [] };
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.fail("unexpected EOF", this.peek().pos);
  }

  private textOrAction(): Node | Control {
    const t = this.nextNonSpace();
    if (t.type === "text") return { type: "text", pos: t.pos, text: t.value };
    if (t.type === "left") return this.action();
    this.unexpected(t, "input");
  }

  private action(): Node | Control {
    const t = this.nextNonSpace();
    if (t.type === "keyword") {
      switch (t.value) {
        case "block":
          return this.blockControl();
        case "break":
        case "continue": {
          if (this.rangeDepth === 0) this.fail(`{{${t.value}}} outside {{range}}`, t.pos);
          const r = this.nextNonSpace();
          if (r.type !== "right") this.unexpected(r, `{{${t.value}}}`);
          return { type: t.value, pos: t.pos };
        }
        case "else": {
          const p = this.peekNonSpace();
          if (p.type === "keyword" && (p.value === "if" || p.value === "with"))
            return { type: "else", pos: t.pos };
          this.expect("right", "else");
          return { type: "else", pos: t.pos };
        }
        case "end":
          this.expect("right", "end");
          return { type: "end", pos: t.pos };
        case "if":
        case "with":
        case "range":
          return this.control(t.value, t.pos);
        case "template":
          return this.templateControl();
        default:
          this.unexpected(t, "command");
      }
    }
    this.i--;
    const pos = this.peek().pos;
    return { type: "action", pos, pipe: this.pipeline("command", "right") };
  }

  private control(context: "if" | "with" | "range", pos: number): Node {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, "right");
      if (context === "range") this.rangeDepth++;
      const [list, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === "else") {
        const p = this.peekNonSpace();
        if (
          (context === "if" || context === "with") &&
          p.type === "keyword" &&
          p.value === context
        ) {
          this.nextNonSpace();
          elseList = { type: "list", pos: next.pos, nodes: [this.control(context, p.pos)] };
        } else {
          const [l, end] = this.itemList();
          if (end.type !== "end") this.fail(`expected end; found {{${end.type}}}`, end.pos);
          elseList = l;
        }
      }
      return { type: context, pos, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== "string" && t.type !== "rawString") this.unexpected(t, context);
    return unquote(t);
  }

  private templateControl(): Node {
    const context = "template clause";
    const nameTok = this.nextNonSpace();
    const name = this.templateName(nameTok, context);
    let pipe: PipeNode | undefined;
    const t = this.nextNonSpace();
    if (t.type !== "right") {
      if (t.type !== "eof") this.i--;
      pipe = this.pipeline(context, "right");
    }
    return { type: "template", pos: nameTok.pos, name, pipe };
  }

  private blockControl(): Node {
    const context = "block clause";
    const nameTok = this.nextNonSpace();
    const name = this.templateName(nameTok, context);
    const pipe = this.pipeline(context, "right");
    this.withFreshScope(() => {
      const [list, end] = this.itemList();
      if (end.type !== "end") this.fail(`unexpected {{${end.type}}} in ${context}`, end.pos);
      this.defines.set(name, list);
    });
    return { type: "template", pos: nameTok.pos, name, pipe };
  }

  private pipeline(context: string, end: "right" | "rightParen"): PipeNode {
    const pipe: PipeNode = {
      type: "pipe",
      pos: this.peekNonSpace().pos,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, t.pos);
        pipe.cmds.slice(1).forEach((c, k) => {
          const first = c.args[0]!.type;
          if (["bool", "dot", "nil", "number", "string"].includes(first))
            this.fail(`non executable command in pipeline stage ${k + 2}`, c.pos);
        });
        return pipe;
      }
      switch (t.type) {
        case "bool":
        case "charConstant":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.i--;
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private declarations(pipe: PipeNode, context: string): void {
    const v = this.peekNonSpace();
    if (v.type !== "variable") return;
    const save = this.i;
    this.nextNonSpace();
    const after = this.peekNonSpace();
    if (after.type === "declare" || after.type === "assign") {
      this.nextNonSpace();
      pipe.isAssign = after.type === "assign";
      if (pipe.isAssign && !this.vars.includes(v.value))
        this.fail(`undefined variable "${v.value}"`, v.pos);
      pipe.decl.push({ type: "variable", pos: v.pos, ident: [v.value] });
      if (!pipe.isAssign) this.vars.push(v.value);
      return;
    }
    if (after.type === "char" && after.value === ",") {
      this.nextNonSpace();
      if (context !== "range") this.fail(`too many declarations in ${context}`, after.pos);
      const v2 = this.nextNonSpace();
      if (v2.type !== "variable") this.fail("range can only initialize variables", v2.pos);
      const op = this.nextNonSpace();
      if (op.type !== "declare" && op.type !== "assign") this.unexpected(op, context);
      pipe.isAssign = op.type === "assign";
      for (const x of [v, v2]) {
        if (pipe.isAssign && !this.vars.includes(x.value))
          this.fail(`undefined variable "${x.value}"`, x.pos);
        pipe.decl.push({ type: "variable", pos: x.pos, ident: [x.value] });
        if (!pipe.isAssign) this.vars.push(x.value);
      }
      return;
    }
    this.i = save;
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === "space") continue;
      if (t.type === "right" || t.type === "rightParen") this.i--;
      else if (t.type !== "pipe") this.unexpected(t, "operand");
      break;
    }
    if (cmd.args.length === 0) this.fail("empty command", cmd.pos);
    return cmd;
  }

  private operand(): Arg | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== "field") return node;
    // Go positions a chained operand at its first appended field
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(...this.next().value.slice(1).split("."));
    switch (node.type) {
      case "field":
        return { type: "field", pos, ident: [...node.ident, ...fields] };
      case "variable":
        return { type: "variable", pos, ident: [...node.ident, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.fail(`unexpected . after term ${JSON.stringify(nodeText(node))}`, node.pos);
        break;
      default:
        return { type: "chain", pos, node, field: fields };
    }
  }

  private term(): Arg | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "identifier":
        if (!this.functions.has(t.value)) this.fail(`function "${t.value}" not defined`, t.pos);
        return { type: "identifier", pos: t.pos, name: t.value };
      case "dot":
        return { type: "dot", pos: t.pos };
      case "nil":
        return { type: "nil", pos: t.pos };
      case "variable": {
        const [name, ...rest] = t.value.split(".");
        if (!this.vars.includes(name!)) this.fail(`undefined variable "${name}"`, t.pos);
        return { type: "variable", pos: t.pos, ident: [name!, ...rest] };
      }
      case "field":
        return { type: "field", pos: t.pos, ident: t.value.slice(1).split(".") };
      case "bool":
        return { type: "bool", pos: t.pos, value: t.value === "true" };
      case "charConstant":
      case "number":
        return this.number(t);
      case "leftParen":
        return this.pipeline("parenthesized pipeline", "rightParen");
      case "string":
      case "rawString":
        return { type: "string", pos: t.pos, quoted: t.value, value: unquote(t) } as StringNode;
    }
    if (t.type !== "eof") this.i--;
    return undefined;
  }

  private number(t: Token): NumberNode {
    if (t.type === "charConstant") {
      let value: number;
      try {
        value = unquoteGoRune(t.value);
      } catch {
        this.fail(`malformed character constant: ${t.value}`, t.pos);
      }
      return { type: "number", pos: t.pos, text: t.value, isInt: true, value };
    }
    const text = t.value;
    const clean = text.replace(/_/g, "");
    const neg = clean.startsWith("-");
    const body = clean.replace(/^[+-]/, "");
    let value: number;
    let isInt = false;
    if (
      /^0[xX][0-9a-fA-F]+$/.test(body) ||
      /^0[oO][0-7]+$/.test(body) ||
      /^0[bB][01]+$/.test(body)
    ) {
      value = Number(body.slice(0, 2).toLowerCase() + body.slice(2));
      isInt = true;
    } else if (/^0[0-7]+$/.test(body)) {
      value = parseInt(body, 8);
      isInt = true;
    } else if (/^\d+$/.test(body)) {
      value = Number(body);
      isInt = true;
    } else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) {
      value = Number(body);
    } else {
      this.fail(`bad number syntax: "${text}"`, t.pos);
    }
    if (isInt && !Number.isSafeInteger(value)) this.fail(`${text} overflows int`, t.pos);
    return { type: "number", pos: t.pos, text, isInt, value: neg ? -value : value };
  }
}

function nodeText(n: Arg): string {
  switch (n.type) {
    case "string":
      return n.quoted;
    case "number":
      return n.text;
    case "bool":
      return String(n.value);
    case "nil":
      return "nil";
    default:
      return ".";
  }
}

/** A string token's value; a bad escape is a parse error at the token, as in Go. */
function unquote(t: Token): string {
  try {
    return unquoteGo(t.value);
  } catch (err) {
    if (err instanceof GoStringError) throw new ParseError("invalid syntax", t.pos);
    throw err;
  }
}

export type { VariableNode };
