/**
 * The first template error in an agent's log (Go's logger quotes it), so two
 * agents' failures can be compared field by field.
 */
export interface ReportedError {
  line: string;
  column: string | undefined;
  /** the command Go shows in `at <...>` (execution errors only) */
  at: string | undefined;
  message: string;
}

/** The first template error in an agent's log, with Go's `\"` quoting undone. */
export function reportedError(log: string): ReportedError | undefined {
  const m =
    /template: [^:\s]*:(\d+)(?::(\d+))?: (?:executing \\"[^"\\]*\\" at <(.*?)>: )?(.*?)(?:" backoff=|","|"$|$)/m.exec(
      log,
    );
  if (!m) return undefined;
  const unquote = (s: string | undefined) => s?.replace(/\\"/g, '"').replace(/\\\\/g, "\\");
  return { line: m[1]!, column: m[2], at: unquote(m[3]), message: unquote(m[4])! };
}
