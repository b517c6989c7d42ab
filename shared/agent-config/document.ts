import type { AgentConfig } from "./types.ts";
import { AgentConfigError } from "./errors.ts";
import { mergeConfigs } from "./merge.ts";
import { ROOT } from "./schema.ts";
import { isObject, type SourceFormat } from "./values.ts";
import { Walk, Where, type Finding, type Locate } from "./walk.ts";

/** One config file after reading: its typed config and what was wrong with it. */
export interface Document {
  source: string;
  config: AgentConfig;
  problems: string[];
  warnings: string[];
}

export interface LoadedConfig {
  config: AgentConfig;
  warnings: string[];
}

/** Reads a parsed file (HCL rendered as JSON, or JSON) against the schema. */
export function readDocument(
  raw: unknown,
  format: SourceFormat,
  source: string,
  locate?: Locate,
): Document {
  const walk = new Walk(format, locate);
  let config: Record<string, unknown> = {};
  if (isObject(raw)) config = walk.body(raw, ROOT, Where.root);
  else walk.problem(Where.root, "the config must be a set of blocks (a JSON object at the top)");
  const lines = (findings: Finding[]) =>
    findings
      .map((f) => ({ f, line: locate?.(f.where.steps) }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
      .map(({ f, line }) => describeFinding(source, f, line));
  return {
    source,
    config: config as unknown as AgentConfig,
    problems: lines(walk.problems),
    warnings: lines(walk.warnings),
  };
}

/**
 * Merges the documents in order (as Vault Agent merges several -config
 * flags) and checks the rules that span the whole config. Throws one
 * AgentConfigError listing every problem of every file.
 */
export function finish(docs: Document[]): LoadedConfig {
  const problems = docs.flatMap((d) => d.problems);
  const warnings = docs.flatMap((d) => d.warnings);
  const first = docs[0];
  if (!first) throw new AgentConfigError(["no config files given"]);
  const config = docs.slice(1).reduce((acc, d) => mergeConfigs(acc, d.config), first.config);
  const source = docs.map((d) => d.source).join(", ");
  if (problems.length === 0) problems.push(...wholeConfigProblems(config, source));
  if (problems.length > 0) throw new AgentConfigError(problems);
  return { config, warnings };
}

/**
 * Rules over the merged config. Unlike Vault Agent, file templates may sit
 * beside env_template: the agent renders both before it starts the command.
 */
function wholeConfigProblems(config: AgentConfig, source: string): string[] {
  const out: string[] = [];
  if (config.env_template.length > 0 && !config.exec) {
    out.push(
      `${source}: env_template: needs a top-level exec block: the command that receives these variables`,
    );
  }
  const seen = new Set<string>();
  for (const t of config.env_template) {
    if (seen.has(t.name)) out.push(`${source}: env_template[${t.name}]: defined more than once`);
    seen.add(t.name);
  }
  return out;
}

function describeFinding(source: string, f: Finding, line: number | undefined): string {
  const at = line === undefined ? source : `${source}:${line}`;
  return f.where.path ? `${at}: ${f.where.path}: ${f.message}` : `${at}: ${f.message}`;
}
