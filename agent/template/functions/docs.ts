import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BAO_AGENT_FUNCTIONS,
  CONSUL_TEMPLATE_NAMES,
  DIFFERENCES,
  NOT_YET,
  REFUSED,
} from "./catalog.ts";
import { createFunctions, DependencyRecorder } from "./index.ts";
import { outsideFunctions } from "./outside.ts";
import type { ParamType, TemplateFunction } from "./types.ts";

/**
 * deploy/docs/template-functions.md is generated from the function catalog
 * and the engine's function table, so the reference cannot drift from what
 * templates can call. Regenerate with `node agent/template/functions/docs.ts`;
 * a test fails when the file is stale.
 */
export const DOCS_PATH = "deploy/docs/template-functions.md";

/** The engine's table (with the functions that are off by default), inert: only the parameter types are read. */
function functionTable(): Record<string, TemplateFunction> {
  return {
    ...createFunctions({
      source: { get: () => undefined },
      env: { env: {}, readFile: () => "", now: () => new Date(0) },
      recorder: new DependencyRecorder(),
    }),
    ...outsideFunctions({}),
  };
}

const GO_NAMES: Record<ParamType, string> = {
  string: "string",
  int: "int",
  uint32: "uint32",
  time: "time.Time",
  float: "float64",
  bool: "bool",
  any: "interface {}",
  "[]string": "[]string",
  "[]any": "[]interface {}",
  map: "map[string]interface {}",
};

function signature(name: string, fn: TemplateFunction | undefined): string {
  if (name === "executeTemplate") return "executeTemplate(string, ...interface {})";
  if (!fn) return "—";
  const params = fn.params.map((p) => GO_NAMES[p]);
  if (fn.variadic) params.push(`...${GO_NAMES[fn.variadic]}`);
  return `${name}(${params.join(", ")})`;
}

export function status(name: string, implemented: boolean): string {
  if (Object.hasOwn(REFUSED, name))
    return `off by default (refused at start-up): it ${REFUSED[name]}; when allowed, same`;
  if (Object.hasOwn(NOT_YET, name)) return `not yet: ${NOT_YET[name]}`;
  if (!implemented) return "missing";
  if (Object.hasOwn(DIFFERENCES, name)) return `same, except: ${DIFFERENCES[name]}`;
  return "same";
}

const cell = (text: string): string => text.replaceAll("|", "\\|");

export function renderFunctionDocs(): string {
  const table = functionTable();
  const row = (name: string): string => {
    const implemented = name === "executeTemplate" || Object.hasOwn(table, name);
    const sig = signature(name, table[name]);
    return `| \`${name}\` | ${sig === "—" ? sig : `\`${sig}\``} | ${cell(status(name, implemented))} |`;
  };
  const sprig = BAO_AGENT_FUNCTIONS.filter((n) => !CONSUL_TEMPLATE_NAMES.includes(n));
  const count = (pick: (n: string) => boolean) => BAO_AGENT_FUNCTIONS.filter(pick).length;
  const done = count((n) => n === "executeTemplate" || Object.hasOwn(table, n));
  return [
    "# Template functions",
    "",
    "<!-- Generated from agent/template/functions/catalog.ts by `node agent/template/functions/docs.ts`; do not edit. -->",
    "",
    "Every function `bao agent` (OpenBao 2.7.2: openbao-template v1.0.1 with Sprig v3.2.3) defines for " +
      "Go templates besides Go's own builtins, with its Go signature in vaultlet and how vaultlet's result " +
      "compares with the agent's. **same** means byte-identical output, or the same error, in the " +
      "differential tests (`test/agent/template/differential/`), which render the same config file with " +
      "both agents.",
    "",
    `vaultlet implements ${done} of the ${BAO_AGENT_FUNCTIONS.length} names; ` +
      `${count((n) => Object.hasOwn(REFUSED, n))} of them are off by default, and ` +
      `${count((n) => Object.hasOwn(NOT_YET, n))} are not implemented yet. A template that calls a ` +
      "function that is off and not allowed fails at start-up (`TEMPLATE_REFUSED`); one that calls a function not " +
      'implemented yet fails at start-up with Go\'s `function "NAME" not defined` and the reason.',
    "",
    "## Off by default: `writeToFile` and `plugin`",
    "",
    "`writeToFile` and `plugin` reach outside the template: the first writes, chowns and chmods any " +
      "path the agent can write, the second runs any executable with the agent's environment. A template " +
      "comes from a pod annotation, so whoever can create a pod would get file writes and command " +
      "execution inside the agent container, next to its Vault token and every secret it renders " +
      "(deploy/docs/threat-model.md). So a template that calls either one is refused at start-up " +
      "(`TEMPLATE_REFUSED`, naming the function, the template and the setting), unless the agent config " +
      'allows that function by name: `vaultlet { allow_functions = ["writeToFile"] }` (bao agent ignores ' +
      "the `vaultlet` block, so the same file runs in both), the agent's flag `-allow-function=writeToFile`, or on " +
      'a pod the annotation `vault.hashicorp.com/agent-allow-functions: "writeToFile"` (the admission answer ' +
      "then carries a warning). " +
      "Each is allowed separately. Allowed, they run as in Vault Agent: `writeToFile(path, owner, group, " +
      'mode, [flags,] content)` with flags `"append"` and `"newline"`, an owner or group by name or number ' +
      '(`""` keeps the agent\'s), and `plugin(command, args...)` without a shell, each argument trimmed, ' +
      "killed after 30 s, its trimmed standard output as the result (output past 16 MiB fails). The render " +
      "waits for both. Both are compared with bao agent in " +
      "`test/agent/template/differential/outside-functions.test.ts`. Without them, write files with more " +
      "`template` blocks, and run commands with `exec` or a template's `command`.",
    "",
    "## consul-template functions",
    "",
    "| function | signature | vaultlet vs Vault Agent |",
    "|---|---|---|",
    ...CONSUL_TEMPLATE_NAMES.map(row),
    "",
    "## Sprig functions (`sprig_` prefix)",
    "",
    'Sprig\'s functions take their arguments in Sprig\'s order (`{{ "x" | sprig_default "d" }}`), ' +
      'convert numbers as Sprig does (`sprig_add 1 "2" 2.9` is 5: text that is not a number counts ' +
      "as 0) and return Go int64 values from integer math.",
    "",
    "| function | signature | vaultlet vs Vault Agent |",
    "|---|---|---|",
    ...sprig.map(row),
    "",
  ].join("\n");
}

/** The committed form, run through the project's formatter (a development tool, loaded only here). */
export async function formattedFunctionDocs(): Promise<string> {
  const prettier = await import("prettier");
  return prettier.format(renderFunctionDocs(), { parser: "markdown", printWidth: 100 });
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  const target = resolve(root, DOCS_PATH);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, await formattedFunctionDocs());
  process.stdout.write(`wrote ${DOCS_PATH}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
