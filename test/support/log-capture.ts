/**
 * Captures the agent's JSON log lines and checks that no secret reached them.
 *
 * Usage:
 *   const logs = captureLogs();
 *   const log = createLogger({ destination: logs.stream, level: "debug" });  // in-process agent
 *   logs.add(childStderrText);                                              // or a child's output
 *   logs.assertNoSecrets([token, password, privateKeyPem]);
 *   logs.entries().filter((e) => e.msg === "logged in to Vault")
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";

export interface LogCapture {
  /** a pino destination */
  readonly stream: Writable;
  /** add text captured elsewhere (a child process's stderr) */
  add(text: string): void;
  text(): string;
  /** every line that parses as JSON */
  entries(): Array<Record<string, unknown>>;
  /** entries with this msg */
  messages(msg: string): Array<Record<string, unknown>>;
  /** fails naming which secret (by position, never by value) appeared */
  assertNoSecrets(values: Iterable<string | undefined>): void;
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join("");
  const entries = () =>
    text()
      .split("\n")
      .filter((l) => l.trim().startsWith("{"))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  return {
    stream,
    add: (t) => void chunks.push(t),
    text,
    entries,
    messages: (msg) => entries().filter((e) => e.msg === msg),
    assertNoSecrets(values) {
      assertNoSecretsIn(text(), values);
    },
  };
}

/** fails when any of `values` (ignoring empty ones) occurs in `text`; the message never shows the value */
export function assertNoSecretsIn(text: string, values: Iterable<string | undefined>): void {
  let i = 0;
  for (const v of values) {
    i++;
    if (!v || v.length < 4) continue;
    const probes = [v, JSON.stringify(v).slice(1, -1)];
    const found = probes.some((p) => text.includes(p));
    assert.equal(found, false, `secret #${i} (${v.length} chars) appears in the captured log`);
  }
}
