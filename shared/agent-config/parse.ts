import { extname } from "node:path";
import { finish, readDocument, type Document, type LoadedConfig } from "./document.ts";
import { parseHcl } from "./hcl.ts";
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
  return finish([readAgentConfigText(text, opts)]);
}

/** JSON only: synchronous, for the config the webhook injects. */
export function parseAgentConfigJson(text: string, source: string): LoadedConfig {
  return finish([readJsonDocument(text, source)]);
}

/** One file read and checked on its own, not yet merged or finished. */
export function readAgentConfigText(text: string, opts: ParseOptions): Document {
  const format = opts.format ?? guessFormat(text, opts.source);
  if (format === "json") return readJsonDocument(text, opts.source);
  const { value, locate } = parseHcl(text, opts.source);
  return readDocument(value, "hcl", opts.source, locate);
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
