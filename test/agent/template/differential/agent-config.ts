/**
 * One Vault Agent config (HCL) that renders the whole corpus once and exits,
 * read unchanged by `bao agent` and by `vaultlet agent`: token_file auto-auth,
 * exit_after_auth, exit_on_retry_failure, and one template block per corpus
 * file with a destination relative to the agent's working directory (so each
 * agent writes into its own directory from the same file).
 */
import type { CorpusEntry } from "./corpus.ts";

export const OUTPUT_DIR = "out";

export interface CorpusAgentConfig {
  vaultAddress: string;
  tokenFile: string;
  entries: readonly CorpusEntry[];
}

/** HCL string literal (Go-style escapes, as HCL reads them) */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

export function corpusAgentConfigHcl(config: CorpusAgentConfig): string {
  const templates = config.entries.map((e) => {
    const lines = [
      `  source      = ${hclString(e.source)}`,
      `  destination = ${hclString(`${OUTPUT_DIR}/${e.name}`)}`,
    ];
    if (e.leftDelimiter !== undefined)
      lines.push(`  left_delimiter  = ${hclString(e.leftDelimiter)}`);
    if (e.rightDelimiter !== undefined) {
      lines.push(`  right_delimiter = ${hclString(e.rightDelimiter)}`);
    }
    if (e.errorOnMissingKey) lines.push("  error_on_missing_key = true");
    return `template {\n${lines.join("\n")}\n}`;
  });
  return [
    `vault {\n  address = ${hclString(config.vaultAddress)}\n}`,
    "auto_auth {",
    '  method "token_file" {',
    `    config {\n      token_file_path = ${hclString(config.tokenFile)}\n    }`,
    "  }",
    "}",
    "exit_after_auth = true",
    "template_config {\n  exit_on_retry_failure = true\n}",
    ...templates,
    "",
  ].join("\n");
}
