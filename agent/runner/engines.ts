import { goEngine } from "../template/go/engine.ts";
import { handlebarsEngine } from "../template/handlebars/engine.ts";
import type { Engines } from "./runner.ts";

/** The template engines the agent offers, by the name a template block picks ("go" by default). */
export function defaultEngines(): Engines {
  return { go: goEngine, handlebars: handlebarsEngine };
}
