/**
 * consul-template's `sockaddr`: its arguments, joined by spaces, form one
 * go-sockaddr template action (`{{ ARGS }}`), which is parsed and run by
 * vaultlet's Go-template engine over the host's addresses, with
 * go-sockaddr's function table and its error wording.
 */
import { location } from "../../go/location.ts";
import { goQuote } from "../../go/fmt.ts";
import { BUILTIN_NAMES, DEFAULT_LIMITS, ExecFailure, execute } from "../../go/exec.ts";
import { parse, ParseError, type ParsedTemplate } from "../../go/parser.ts";
import { FunctionError } from "../types.ts";
import { IfAddr, type HostNetwork } from "./ifaddr.ts";
import { allInterfaces } from "./sources.ts";
import { SOCKADDR_FUNCTION_NAMES, sockaddrFunctions } from "./pipeline.ts";

const NAME = "sockaddr.Parse";
const KNOWN: ReadonlySet<string> = new Set([...BUILTIN_NAMES, ...SOCKADDR_FUNCTION_NAMES]);

function parseInner(text: string): ParsedTemplate {
  try {
    return parse(text, { functions: KNOWN });
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    const { line } = location(text, e.pos);
    throw new FunctionError(
      `unable to parse template ${goQuote(text, true)}: template: ${NAME}:${line}: ${e.message}`,
    );
  }
}

function execFailure(text: string, e: ExecFailure): FunctionError {
  const head = `unable to execute sockaddr input ${goQuote(text, true)}: template: ${NAME}`;
  if (e.pos === undefined) return new FunctionError(`${head}: ${e.message}`);
  const { line, column } = location(text, e.pos);
  return new FunctionError(
    `${head}:${line}:${column}: executing ${JSON.stringify(e.templateName)} at <${e.context ?? ""}>: ${e.message}`,
  );
}

/** The pure core: render `{{ args... }}` over a snapshot of the host's network. */
export function renderSockaddr(args: readonly string[], host: HostNetwork): string {
  const text = `{{ ${args.join(" ")} }}`;
  const parsed = parseInner(text);
  const table = sockaddrFunctions(host);
  try {
    return execute(
      {
        name: NAME,
        root: parsed.root,
        defines: parsed.defines,
        functions: (n) => (Object.hasOwn(table, n) ? table[n] : undefined),
        errorOnMissingKey: true,
        limits: DEFAULT_LIMITS,
      },
      allInterfaces(host),
    );
  } catch (e) {
    if (e instanceof ExecFailure) throw execFailure(text, e);
    throw e;
  }
}

export { IfAddr };
