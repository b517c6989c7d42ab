import { VaultletError } from "../errors.ts";

export const AGENT_CONFIG_INVALID = "AGENT_CONFIG_INVALID";

/**
 * Every problem found in one or more agent config files, one line each, so a
 * user fixes them all in one pass instead of one per run. Lines look like
 * `agent.hcl:12: template[1].destinaton: unknown key; did you mean "destination"?`.
 */
export class AgentConfigError extends VaultletError {
  readonly problems: string[];

  constructor(problems: string[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(AGENT_CONFIG_INVALID, `invalid agent config (${count}):\n  ${problems.join("\n  ")}`);
    this.name = "AgentConfigError";
    this.problems = problems;
  }
}
