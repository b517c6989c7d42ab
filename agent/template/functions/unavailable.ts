/**
 * What a template is told when it calls a function `bao agent` defines but
 * vaultlet does not run: Go's own "not defined" parse error, followed by
 * why (refused on purpose, or not implemented yet) and where the function
 * reference is. Both happen when the template is compiled, at start-up.
 */
import { NOT_YET, REFUSED } from "./catalog.ts";

const REFERENCE = "deploy/docs/template-functions.md";

export function unavailableFunction(
  parseMessage: string,
  source?: string,
): { refused: boolean; detail: string } | undefined {
  const name = /^function "([^"]+)" not defined$/.exec(parseMessage)?.[1];
  if (name === undefined) return undefined;
  const refused = Object.hasOwn(REFUSED, name) ? REFUSED[name] : undefined;
  if (refused !== undefined) {
    return {
      refused: true,
      detail:
        `function "${name}"${source === undefined ? "" : ` (template source ${JSON.stringify(source)})`} ` +
        `is refused: it ${refused}; it is off by default. To allow it, set ` +
        `vaultlet { allow_functions = ["${name}"] } in the agent config (on a pod: annotation ` +
        `vault.hashicorp.com/agent-allow-functions: "${name}"), or start the agent with ` +
        `-allow-function=${name} (see deploy/docs/threat-model.md and ${REFERENCE})`,
    };
  }
  const missing = Object.hasOwn(NOT_YET, name) ? NOT_YET[name] : undefined;
  if (missing === undefined) return undefined;
  return {
    refused: false,
    detail: `${parseMessage} (Vault Agent defines it; vaultlet does not implement it yet: ${missing}; see ${REFERENCE})`,
  };
}
