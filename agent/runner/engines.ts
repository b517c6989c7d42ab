import type { AgentConfig } from "../../shared/agent-config/types.ts";
import type { Engines } from "./runner.ts";

/**
 * The template engines a config uses ("go" unless a template picks
 * "handlebars"), loaded on demand so an agent never pays for an engine it
 * does not use.
 */
export async function loadEngines(config: AgentConfig): Promise<Engines> {
  const wanted = new Set([...config.template, ...config.env_template].map((t) => t.engine ?? "go"));
  const engines: Engines = {};
  if (wanted.has("go")) engines.go = (await import("../template/go/engine.ts")).goEngine;
  if (wanted.has("handlebars")) {
    engines.handlebars = (await import("../template/handlebars/engine.ts")).handlebarsEngine;
  }
  return engines;
}
