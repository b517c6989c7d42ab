/**
 * The Vault Agent config: parse HCL or JSON into the typed AgentConfig
 * (types.ts), merge several files, and render back to Vault Agent's JSON.
 */
export {
  parseAgentConfig,
  parseAgentConfigJson,
  type ParseOptions,
  type LoadedConfig,
} from "./parse.ts";
export { loadAgentConfig, type ConfigText } from "./load.ts";
export { mergeConfigs } from "./merge.ts";
export { toJson } from "./to-json.ts";
export { AgentConfigError, AGENT_CONFIG_INVALID } from "./errors.ts";
export type * from "./types.ts";
