/**
 * Syntax tree of a Go template. Grammar (as Go's text/template parses it):
 *
 *   list     := (text | action)*
 *   action   := "{{" ( pipeline | "if" pipeline list [else] "end"
 *               | "with" pipeline list [else] "end" | "range" pipeline list ["else" list] "end"
 *               | "template" string [pipeline] | "block" string pipeline list "end"
 *               | "define" string list "end" | "break" | "continue" ) "}}"
 *   else     := "else" list | "else" "if" pipeline list [else] | "else" "with" pipeline list [else]
 *   pipeline := [ vars (":=" | "=") ] command ( "|" command )*
 *   vars     := variable [ "," variable ]
 *   command  := operand ( " " operand )*
 *   operand  := term ( field )*
 *   term     := literal | "." | field | variable | identifier | "(" pipeline ")"
 */

export type Node =
  TextNode | ActionNode | IfNode | WithNode | RangeNode | TemplateNode | BreakNode | ContinueNode;

export interface ListNode {
  type: "list";
  pos: number;
  nodes: Node[];
}

export interface TextNode {
  type: "text";
  pos: number;
  text: string;
}

export interface ActionNode {
  type: "action";
  pos: number;
  pipe: PipeNode;
}

export interface BranchFields {
  pos: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface IfNode extends BranchFields {
  type: "if";
}
export interface WithNode extends BranchFields {
  type: "with";
}
export interface RangeNode extends BranchFields {
  type: "range";
}

export interface TemplateNode {
  type: "template";
  pos: number;
  name: string;
  pipe: PipeNode | undefined;
}

export interface BreakNode {
  type: "break";
  pos: number;
}
export interface ContinueNode {
  type: "continue";
  pos: number;
}

export interface PipeNode {
  type: "pipe";
  pos: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

export interface CommandNode {
  type: "command";
  pos: number;
  args: Arg[];
}

export type Arg =
  | FieldNode
  | VariableNode
  | IdentifierNode
  | ChainNode
  | PipeNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode;

export interface FieldNode {
  type: "field";
  pos: number;
  /** ".A.B" => ["A", "B"] */
  ident: string[];
}
export interface VariableNode {
  type: "variable";
  pos: number;
  /** "$x.A" => ["$x", "A"] */
  ident: string[];
}
export interface IdentifierNode {
  type: "identifier";
  pos: number;
  name: string;
}
export interface ChainNode {
  type: "chain";
  pos: number;
  node: Arg;
  field: string[];
}
export interface DotNode {
  type: "dot";
  pos: number;
}
export interface NilNode {
  type: "nil";
  pos: number;
}
export interface BoolNode {
  type: "bool";
  pos: number;
  value: boolean;
}
export interface NumberNode {
  type: "number";
  pos: number;
  text: string;
  /** Go's ideal constant: an int when written as one, else a float */
  isInt: boolean;
  value: number;
}
export interface StringNode {
  type: "string";
  pos: number;
  quoted: string;
  value: string;
}

/** Source text of a node, as Go's Node.String() shows it in error contexts. */
export function nodeString(n: Arg | CommandNode | Node | ListNode): string {
  switch (n.type) {
    case "field":
      return "." + n.ident.join(".");
    case "variable":
      return n.ident.join(".");
    case "identifier":
      return n.name;
    case "chain": {
      const inner = n.node.type === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + "." + n.field.join(".");
    }
    case "pipe": {
      const decl = n.decl.length
        ? n.decl.map((d) => nodeString(d)).join(", ") + (n.isAssign ? " = " : " := ")
        : "";
      return decl + n.cmds.map((c) => nodeString(c)).join(" | ");
    }
    case "command":
      return n.args
        .map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a)))
        .join(" ");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "text":
      return n.text;
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "if":
    case "with":
    case "range":
      return `{{${n.type} ${nodeString(n.pipe)}}}`;
    case "template":
      return n.pipe
        ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}`
        : `{{template ${JSON.stringify(n.name)}}}`;
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "list":
      return n.nodes.map((x) => nodeString(x)).join("");
  }
}
