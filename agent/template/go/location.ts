/** 1-based line and Go's 0-based byte column of a position in the text. */
export function location(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const nl = before.lastIndexOf("\n");
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  return { line, column: Buffer.byteLength(before.slice(nl + 1)) };
}
