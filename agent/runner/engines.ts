import { handlebarsEngine } from "../template/handlebars/engine.ts";
import type { Engines } from "./runner.ts";

/** The template engines the agent offers, by the name a template block picks. */
export function defaultEngines(): Engines {
  return { handlebars: handlebarsEngine };
}
