import { editDistance } from "../../shared/edit-distance.ts";
import { ANNOTATIONS, PREFIX, type AnnotationDef } from "./table.ts";

/**
 * Matching an annotation key against the table: exact global names first,
 * then the longest `NAME-` prefix (so `agent-inject-template-file-x` is the
 * template-file of x, never the template of `file-x`).
 */
export interface Match {
  def: AnnotationDef;
  suffix: string | undefined;
}

const GLOBAL = new Map(ANNOTATIONS.filter((d) => d.kind === "global").map((d) => [d.name, d]));
const PREFIXED = ANNOTATIONS.filter((d) => d.kind !== "global").sort(
  (a, b) => b.name.length - a.name.length,
);
/** `NAME-` of each prefixed annotation, longest first, built once. */
const PREFIXED_HEADS = PREFIXED.map((d) => ({ def: d, head: d.name + "-" }));

export function matchAnnotation(key: string): Match | undefined {
  if (!key.startsWith(PREFIX)) return undefined;
  const name = key.slice(PREFIX.length);
  const global = GLOBAL.get(name);
  if (global) return { def: global, suffix: undefined };
  for (const { def, head } of PREFIXED_HEADS) {
    if (name.length > head.length && name.startsWith(head)) {
      return { def, suffix: name.slice(head.length) };
    }
  }
  return undefined;
}

const GLOBAL_NAMES = [...GLOBAL.keys()];
const PREFIX_NAMES = PREFIXED.map((d) => d.name);

/**
 * The annotation a user most likely meant by an unknown name, for a
 * "did you mean" warning: the nearest global name, or the nearest prefix
 * with the user's own `-NAME` suffix kept.
 */
export function suggestAnnotation(name: string): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const consider = (candidate: string, score: number): void => {
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  };
  for (const g of GLOBAL_NAMES) consider(g, editDistance(name, g));
  for (let k = name.indexOf("-"); k > 0; k = name.indexOf("-", k + 1)) {
    const head = name.slice(0, k);
    const tail = name.slice(k + 1);
    if (tail === "") continue;
    for (const p of PREFIX_NAMES) consider(`${p}-${tail}`, editDistance(head, p));
  }
  return bestScore <= Math.max(2, Math.floor(name.length / 5)) ? best : undefined;
}
