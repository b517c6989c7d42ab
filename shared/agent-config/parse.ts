import { extname } from "node:path";
import { finish, readDocument, type Document, type LoadedConfig } from "./document.ts";
import { hclLocator, parseHclText } from "./hcl.ts";
import { jsonLocator, parseJsonText } from "./json.ts";
import type { SourceFormat } from "./values.ts";

export type { LoadedConfig } from "./document.ts";

export interface ParseOptions {
  /** default: from the source's extension (.json, .hcl), else by the first character */
  format?: SourceFormat;
  /** the file name (or other label) used in every problem line */
  source: string;
}

/**
 * Parses one Vault Agent config, HCL or JSON, into the typed AgentConfig.
 * Resolves with the config and warnings (Vault settings vaultlet accepts
 * but ignores); rejects with AgentConfigError listing every problem.
 */
export async function parseAgentConfig(text: string, opts: ParseOptions): Promise<LoadedConfig> {
  return finish([await readAgentConfigText(text, opts)]);
}

/** The JSON fast path: synchronous, and it never loads the HCL parser. */
export function parseAgentConfigJson(text: string, source: string): LoadedConfig {
  return finish([readJsonDocument(text, source)]);
}

/** One file read and checked on its own, not yet merged or finished. */
export async function readAgentConfigText(text: string, opts: ParseOptions): Promise<Document> {
  const format = opts.format ?? guessFormat(text, opts.source);
  if (format === "json") return readJsonDocument(text, opts.source);
  const raw = await parseHclText(text, opts.source);
  return readDocument(raw, "hcl", opts.source, hclLocator(text));
}

function readJsonDocument(text: string, source: string): Document {
  return readDocument(parseJsonText(text, source), "json", source, jsonLocator(text));
}

function guessFormat(text: string, source: string): SourceFormat {
  const ext = extname(source).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".hcl") return "hcl";
  return text.trimStart().startsWith("{") ? "json" : "hcl";
}
