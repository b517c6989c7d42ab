/**
 * Executor for parsed Go templates: walks the tree against the data, with
 * Go's rules for fields, variables, pipelines, truth, printing and function
 * arguments, and consul-template's options (missingkey=zero by default,
 * missingkey=error when errorOnMissingKey). Steps, template depth and output
 * bytes are bounded so no template can hang the agent or fill its memory.
 */
import type {
  Arg,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  PipeNode,
  RangeNode,
  VariableNode,
} from "./ast.ts";
import { nodeString } from "./ast.ts";
import { BUILTIN_ARITY, BUILTINS, truth } from "./builtins.ts";
export { BUILTIN_NAMES } from "./builtins.ts";
import { formatV } from "./fmt.ts";
import {
  Float64,
  JsonNumber,
  MISSING,
  goTypeName,
  isFloat,
  isMap,
  isMissing,
  isStringSlice,
  sortedKeys,
  structKind,
  structFields,
  TypedNil,
  methodOf,
} from "../functions/values.ts";
import type { ParamType, TemplateFunction } from "../functions/types.ts";

export interface Limits {
  /** most bytes one render may produce */
  maxOutputBytes: number;
  /** most evaluation steps (nodes, commands, loop iterations) per render */
  maxSteps: number;
  /** most nested {{template}} calls */
  maxDepth: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxOutputBytes: 16 * 1024 * 1024,
  maxSteps: 5_000_000,
  maxDepth: 1000,
};

/** Thrown by the executor; the engine turns it into a TemplateError. */
export class ExecFailure extends Error {
  readonly pos: number | undefined;
  readonly context: string | undefined;
  readonly templateName: string;
  readonly limit: boolean;
  constructor(
    message: string,
    where: { pos?: number; context?: string; templateName: string; limit?: boolean },
  ) {
    super(message);
    this.pos = where.pos;
    this.context = where.context;
    this.templateName = where.templateName;
    this.limit = where.limit ?? false;
  }
}

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

/** "no final argument" marker, distinct from a nil final argument */
const NO_FINAL = Symbol("noFinal");
type Final = unknown;

export interface ExecInput {
  name: string;
  root: ListNode;
  defines: ReadonlyMap<string, ListNode>;
  /** looks up a library function by name */
  functions: (name: string) => TemplateFunction | undefined;
  errorOnMissingKey: boolean;
  limits: Limits;
}

interface Variable {
  name: string;
  value: unknown;
}

export function execute(input: ExecInput, data: unknown): string {
  const state = new State(input);
  state.vars.push({ name: "$", value: data });
  state.walk(data, input.root);
  return state.out.join("");
}

class State {
  readonly input: ExecInput;
  out: string[] = [];
  vars: Variable[] = [];
  private bytes = 0;
  private steps = 0;
  private depth = 0;
  private tmplName: string;
  /** the node being evaluated, for error locations (its text is built only on failure) */
  private node: Arg | CommandNode | Node | undefined;

  constructor(input: ExecInput) {
    this.input = input;
    this.tmplName = input.name;
  }

  private fail(message: string): never {
    throw new ExecFailure(message, {
      pos: this.node?.pos,
      context: this.node && nodeString(this.node),
      templateName: this.tmplName,
    });
  }

  private limit(message: string): never {
    throw new ExecFailure(message, {
      pos: this.node?.pos,
      context: this.node && nodeString(this.node),
      templateName: this.tmplName,
      limit: true,
    });
  }

  private at(n: Arg | CommandNode | Node): void {
    this.node = n;
  }

  private step(): void {
    if (++this.steps > this.input.limits.maxSteps)
      this.limit(`exceeded maximum of ${this.input.limits.maxSteps} evaluation steps`);
  }

  private write(s: string): void {
    if (!s) return;
    this.bytes += Buffer.byteLength(s);
    if (this.bytes > this.input.limits.maxOutputBytes)
      this.limit(`output exceeds the limit of ${this.input.limits.maxOutputBytes} bytes`);
    this.out.push(s);
  }

  walk(dot: unknown, list: ListNode): void {
    for (const node of list.nodes) this.walkNode(dot, node);
  }

  private walkNode(dot: unknown, node: Node): void {
    this.step();
    switch (node.type) {
      case "text":
        this.write(node.text);
        return;
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case "if":
      case "with":
        return this.walkIfOrWith(node.type, dot, node.pipe, node.list, node.elseList);
      case "range":
        return this.walkRange(dot, node);
      case "template":
        return this.walkTemplate(dot, node.name, node.pipe, node);
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
    }
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (v === undefined || v === null) return this.write("<no value>");
    if (isMissing(v)) return;
    if (v instanceof TypedNil) return this.write("<nil>");
    // printableValue dereferences a pointer, so a secret prints as {...}
    const s = formatV(v);
    this.write(structKind(v) === "secret" ? s.slice(1) : s);
  }

  private mark(): number {
    return this.vars.length;
  }
  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private walkIfOrWith(
    kind: "if" | "with",
    dot: unknown,
    pipe: PipeNode,
    list: ListNode,
    elseList: ListNode | undefined,
  ): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      if (truth(val)) {
        this.walk(kind === "with" ? val : dot, list);
      } else if (elseList) {
        this.walk(dot, elseList);
      }
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const one = (index: unknown, elem: unknown): boolean => {
        this.step();
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
            if (decl.length > 1) this.setVar(decl[1]!.ident[0]!, elem);
          } else {
            this.setTopVar(1, elem);
            if (decl.length > 1) this.setTopVar(2, index);
          }
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      let ran = false;
      if (val === undefined || val === null || isMissing(val)) {
        // nothing to iterate
      } else if (Array.isArray(val)) {
        for (let i = 0; i < val.length; i++) {
          ran = true;
          if (!one(i, val[i])) break;
        }
      } else if (isMap(val)) {
        for (const k of sortedKeys(val)) {
          ran = true;
          if (!one(k, val[k])) break;
        }
      } else if (typeof val === "number" && Number.isInteger(val)) {
        for (let i = 0; i < val; i++) {
          ran = true;
          if (!one(i, i)) break;
        }
      } else {
        this.at(r);
        this.fail(`range can't iterate over value of type ${goTypeName(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: unknown, name: string, pipe: PipeNode | undefined, node: Node): void {
    this.at(node);
    const list =
      this.input.defines.get(name) ?? (name === this.input.name ? this.input.root : undefined);
    if (!list) this.fail(`template ${JSON.stringify(name)} not defined`);
    if (this.depth >= this.input.limits.maxDepth)
      this.limit(`exceeded maximum template depth (${this.input.limits.maxDepth})`);
    this.runTemplate(name, pipe ? this.evalPipeline(dot, pipe) : undefined);
  }

  private runTemplate(name: string, newDot: unknown): void {
    const list = this.input.defines.get(name) ?? this.input.root;
    if (this.depth >= this.input.limits.maxDepth)
      this.limit(`exceeded maximum template depth (${this.input.limits.maxDepth})`);
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: "$", value: newDot }];
    this.tmplName = name;
    this.depth++;
    try {
      this.walk(newDot, list);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.fail(`undefined variable: ${name}`);
  }

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: Final = NO_FINAL;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // an interface{} holding nil is no value at all once it leaves a command
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.vars.push({ name: v.ident[0]!, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    this.step();
    const first = cmd.args[0]!;
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.fail("nil is not a command");
        break;
      case "number":
        return idealConstant(first.isInt, first.value);
      case "string":
        return first.value;
    }
    this.fail(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private notAFunction(args: Arg[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL)
      this.fail(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Arg[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Arg[], final: Final): unknown {
    this.at(chain);
    if (chain.node.type === "nil")
      this.fail(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, "any", chain.node);
    this.at(chain);
    return this.evalFieldChain(dot, pipe, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Arg[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    ident: string[],
    args: Arg[],
    final: Final,
  ): unknown {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(dot, ident[i]!, [], NO_FINAL, r);
    return this.evalField(dot, ident[ident.length - 1]!, args, final, r);
  }

  private evalField(
    dot: unknown,
    name: string,
    args: Arg[],
    final: Final,
    receiver: unknown,
  ): unknown {
    const hasArgs = args.length > 1 || final !== NO_FINAL;
    if (isMissing(receiver)) return MISSING;
    const method = methodOf(receiver, name);
    if (method) {
      const node = this.node;
      return this.callFunction(dot, name, method, false, args.slice(1), final, node as Arg);
    }
    if (receiver === undefined) {
      if (this.input.errorOnMissingKey)
        this.fail(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof TypedNil)
      this.fail(`nil pointer evaluating ${receiver.typeName}.${name}`);
    const kind = structKind(receiver);
    if (kind) {
      const obj = receiver as Record<string, unknown>;
      if (kind === "pki" && name === "Data") {
        if (hasArgs) this.fail(`wrong number of args for Data: want 0 got 1`);
        return receiver;
      }
      const fields = structFields(kind);
      if (!fields.includes(name))
        this.fail(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
      if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
      const v = obj[name];
      if (name === "Data" && (v === null || v === undefined)) return {};
      if ((name === "Warnings" || name === "CAChain") && (v === null || v === undefined)) return [];
      if (name === "Auth" && (v === null || v === undefined))
        return new TypedNil("*dependency.SecretAuth");
      if (name === "WrapInfo" && (v === null || v === undefined))
        return new TypedNil("*dependency.SecretWrapInfo");
      return v === undefined ? null : v;
    }
    if (isMap(receiver)) {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      if (Object.prototype.hasOwnProperty.call(receiver, name)) return receiver[name];
      if (this.input.errorOnMissingKey)
        this.fail(`map has no entry for key ${JSON.stringify(name)}`);
      return null;
    }
    this.fail(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: CommandNode | IdentifierNode,
    args: Arg[],
    final: Final,
  ): unknown {
    this.at(node);
    const name = node.name;
    const argNodes = args.slice(1);
    if (name === "and" || name === "or") return this.evalAndOr(dot, name, argNodes, final);
    if (name === "call") this.fail("call is not supported: templates have no function values");
    if (name === "executeTemplate") return this.executeTemplate(dot, node, argNodes, final);
    const builtinFn = BUILTINS[name];
    if (builtinFn) {
      const [fixed, variadic] = BUILTIN_ARITY[name]!;
      const spec: TemplateFunction = variadic
        ? { params: Array<ParamType>(fixed).fill("any"), variadic: "any", fn: builtinFn }
        : { params: Array<ParamType>(fixed).fill("any"), fn: builtinFn };
      return this.callFunction(dot, name, spec, true, argNodes, final, cmd);
    }
    return this.callFunction(dot, name, this.input.functions(name)!, false, argNodes, final, cmd);
  }

  /** Evaluate arguments with Go's conversions and call a function or method. */
  private callFunction(
    dot: unknown,
    name: string,
    spec: TemplateFunction,
    isBuiltin: boolean,
    argNodes: Arg[],
    final: Final,
    cmd: Arg | CommandNode,
  ): unknown {
    const { params, variadic } = spec;
    const fixed = params.length;
    const n = argNodes.length + (final === NO_FINAL ? 0 : 1);
    if (variadic ? n < fixed : n !== fixed)
      this.fail(
        `wrong number of args for ${name}: want ${variadic ? "at least " : ""}${fixed} got ${n}`,
      );
    const typeAt = (i: number): ParamType => (i < fixed ? params[i]! : variadic!);
    const values: unknown[] = argNodes.map((a, i) => this.evalArg(dot, typeAt(i), a));
    if (final !== NO_FINAL) values.push(this.validateType(final, typeAt(n - 1)));
    this.at(cmd);
    if (values.some(isMissing)) return MISSING;
    const fn = spec.fn as (...a: unknown[]) => unknown;
    try {
      return fn(...values.map((v) => (isBuiltin && v === null ? undefined : v)));
    } catch (e) {
      if (e instanceof ExecFailure) throw e;
      this.fail(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** consul-template's executeTemplate: render a named template to a string. */
  private executeTemplate(dot: unknown, node: IdentifierNode, args: Arg[], final: Final): unknown {
    const values = args.map((a, i) => this.evalArg(dot, i === 0 ? "string" : "any", a));
    if (final !== NO_FINAL)
      values.push(values.length === 0 ? this.validateType(final, "string") : final);
    this.at(node);
    if (values.length < 1)
      this.fail("wrong number of args for executeTemplate: want at least 1 got 0");
    if (values.length > 2)
      this.fail(
        `error calling executeTemplate: executeTemplate: wrong number of arguments, expected 1 or 2, but got ${values.length}`,
      );
    if (values.some(isMissing)) return MISSING;
    const name = values[0] as string;
    if (!this.input.defines.has(name) && name !== this.input.name)
      this.fail(
        `error calling executeTemplate: template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.input.name)}`,
      );
    const saved = this.out;
    this.out = [];
    try {
      this.runTemplate(name, values.length > 1 ? values[1] : undefined);
      return this.out.join("");
    } finally {
      this.out = saved;
    }
  }

  private evalAndOr(dot: unknown, name: "and" | "or", args: Arg[], final: Final): unknown {
    const n = args.length + (final === NO_FINAL ? 0 : 1);
    if (n < 1) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
    let v: unknown;
    for (const a of args) {
      v = this.evalArg(dot, "any", a);
      if (truth(v) === (name === "or")) return v;
    }
    if (final !== NO_FINAL) v = final;
    return v;
  }

  private evalArg(dot: unknown, type: ParamType, n: Arg): unknown {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, type);
      case "nil":
        if (type === "any" || type === "map" || type === "[]string" || type === "[]any")
          return null;
        this.fail(`cannot assign nil to ${goParamName(type)}`);
        break;
      case "field":
        return this.validateType(this.evalFieldNode(dot, n, [n], NO_FINAL), type);
      case "variable":
        return this.validateType(this.evalVariableNode(dot, n, [n], NO_FINAL), type);
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), type);
      case "identifier":
        return this.validateType(this.evalFunction(dot, n, n, [n], NO_FINAL), type);
      case "chain":
        return this.validateType(this.evalChainNode(dot, n, [n], NO_FINAL), type);
    }
    switch (type) {
      case "any":
        if (n.type === "number") return idealConstant(n.isInt, n.value);
        if (n.type === "string") return n.value;
        if (n.type === "bool") return n.value;
        break;
      case "string":
        if (n.type === "string") return n.value;
        this.fail(`expected string; found ${nodeString(n)}`);
        break;
      case "int":
        if (n.type === "number" && Number.isInteger(n.value)) return n.value;
        this.fail(`expected integer; found ${nodeString(n)}`);
        break;
      case "uint32":
        // Go's reflect.SetUint keeps the low 32 bits
        if (n.type === "number" && Number.isInteger(n.value) && n.value >= 0)
          return Number(BigInt.asUintN(32, BigInt(n.value)));
        this.fail(`expected unsigned integer; found ${nodeString(n)}`);
        break;
      case "float":
        if (n.type === "number") return new Float64(n.value);
        this.fail(`expected float; found ${nodeString(n)}`);
        break;
      case "bool":
        if (n.type === "bool") return n.value;
        this.fail(`expected bool; found ${nodeString(n)}`);
    }
    this.fail(`can't handle ${nodeString(n)} for arg of type ${goParamName(type)}`);
  }

  private validateType(value: unknown, type: ParamType): unknown {
    if (isMissing(value) || type === "any") return value;
    if (value === undefined) {
      if (type === "map" || type === "[]string" || type === "[]any") return null;
      this.fail(`invalid value; expected ${goParamName(type)}`);
    }
    const ok =
      value !== null &&
      (type === "string"
        ? typeof value === "string"
        : type === "int"
          ? typeof value === "number" && Number.isInteger(value)
          : type === "uint32"
            ? false
            : type === "time"
              ? goTypeName(value) === "time.Time"
              : type === "float"
                ? isFloat(value)
                : type === "bool"
                  ? typeof value === "boolean"
                  : type === "[]string"
                    ? isStringSlice(value) || (Array.isArray(value) && value.length === 0)
                    : type === "[]any"
                      ? Array.isArray(value) && !isStringSlice(value)
                      : isMap(value));
    if (ok) return type === "float" && typeof value === "number" ? new Float64(value) : value;
    const got = value === null ? "interface {}" : goTypeName(value);
    this.fail(`wrong type for value; expected ${goParamName(type)}; got ${got}`);
  }
}

function idealConstant(isInt: boolean, value: number): unknown {
  return isInt ? value : new Float64(value);
}

function goParamName(t: ParamType): string {
  switch (t) {
    case "any":
      return "interface {}";
    case "[]any":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    case "float":
      return "float64";
    case "time":
      return "time.Time";
    default:
      return t;
  }
}

export { JsonNumber };
