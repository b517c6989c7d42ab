import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { finish, type Document, type LoadedConfig } from "./document.ts";
import { AgentConfigError } from "./errors.ts";
import { readAgentConfigText, type ParseOptions } from "./parse.ts";

/** A config that is not a file, e.g. JSON the webhook passed in an environment variable. */
export interface ConfigText extends ParseOptions {
  text: string;
}

/**
 * Loads and merges config files, as Vault Agent does with several -config
 * flags. Each path is a file or a directory; a directory contributes its
 * *.hcl and *.json files (not subdirectories, not editor temp files) in
 * name order. Files merge in order: see mergeConfigs for the rules.
 * Every problem of every file is reported together. `texts` come after the
 * files, in order; the rules that span the whole config (env_template needs
 * exec) apply to the merged result, so parts may be split across sources.
 */
export async function loadAgentConfig(
  paths: string[],
  texts: ConfigText[] = [],
): Promise<LoadedConfig> {
  const files: string[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    try {
      files.push(...(await expand(path)));
    } catch (err) {
      problems.push(`${path}: cannot read: ${errorCode(err)}`);
    }
  }
  if (problems.length === 0 && files.length === 0 && texts.length === 0) {
    problems.push(`${paths.join(", ") || "(none)"}: no .hcl or .json config files found`);
  }
  const docs: Document[] = [];
  const read = async (source: string, text: () => Promise<string>, opts: ParseOptions) => {
    try {
      docs.push(readAgentConfigText(await text(), opts));
    } catch (err) {
      if (err instanceof AgentConfigError) problems.push(...err.problems);
      else problems.push(`${source}: cannot read: ${errorCode(err)}`);
    }
  };
  for (const file of files) await read(file, () => readFile(file, "utf8"), { source: file });
  for (const { text, ...opts } of texts) await read(opts.source, async () => text, opts);
  if (problems.length > 0) {
    throw new AgentConfigError([...problems, ...docs.flatMap((d) => d.problems)]);
  }
  return finish(docs);
}

async function expand(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((d) => !d.isDirectory() && /\.(hcl|json)$/.test(d.name) && !isEditorTempFile(d.name))
    .map((d) => d.name)
    .sort();
  return names.map((n) => join(path, n));
}

function isEditorTempFile(name: string): boolean {
  return (
    name.endsWith("~") || name.startsWith(".#") || (name.startsWith("#") && name.endsWith("#"))
  );
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
