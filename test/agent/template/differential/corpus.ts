/**
 * The differential corpus: every `*.tpl` under test/fixtures/templates/ with
 * its settings from corpus.json (where it comes from, whether it shows
 * dynamic values, delimiters, error_on_missing_key). A template without an
 * entry, or an entry without a file, is an error: nothing is skipped silently.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const CORPUS_DIR = resolve(import.meta.dirname, "../../../fixtures/templates");

export interface CorpusEntry {
  /** file name, also the destination's name */
  name: string;
  /** absolute path of the template file */
  source: string;
  text: string;
  origin: string;
  /** output holds values that differ on every fetch (passwords, certificates) */
  dynamic: boolean;
  leftDelimiter?: string;
  rightDelimiter?: string;
  errorOnMissingKey: boolean;
}

interface ManifestEntry {
  origin: string;
  dynamic?: boolean;
  left_delimiter?: string;
  right_delimiter?: string;
  error_on_missing_key?: boolean;
}

/** `manifestName`: the JSON file in `dir` that describes each template */
export function loadCorpus(dir = CORPUS_DIR, manifestName = "corpus.json"): CorpusEntry[] {
  const manifest = JSON.parse(readFileSync(join(dir, manifestName), "utf8")) as Record<
    string,
    ManifestEntry
  >;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".tpl"))
    .sort();
  const unlisted = files.filter((f) => !(f in manifest));
  const absent = Object.keys(manifest).filter((f) => !files.includes(f));
  if (unlisted.length || absent.length) {
    throw new Error(
      `${manifestName} and the templates disagree: not listed [${unlisted.join(", ")}], ` +
        `no file [${absent.join(", ")}]`,
    );
  }
  return files.map((name) => {
    const m = manifest[name] as ManifestEntry;
    const source = join(dir, name);
    const entry: CorpusEntry = {
      name,
      source,
      text: readFileSync(source, "utf8"),
      origin: m.origin,
      dynamic: m.dynamic === true,
      errorOnMissingKey: m.error_on_missing_key === true,
    };
    if (m.left_delimiter !== undefined) entry.leftDelimiter = m.left_delimiter;
    if (m.right_delimiter !== undefined) entry.rightDelimiter = m.right_delimiter;
    return entry;
  });
}
