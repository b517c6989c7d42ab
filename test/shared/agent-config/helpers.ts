import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AgentConfigError } from "../../../shared/agent-config/index.ts";

export const FIXTURES = join(import.meta.dirname, "../../fixtures/agent-config");

export function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), "utf8");
}

/** Runs `fn`, expects an AgentConfigError, and returns its problem lines. */
export async function problemsOf(fn: () => unknown): Promise<string[]> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof AgentConfigError, `expected AgentConfigError, got ${String(err)}`);
    assert.equal(err.code, "AGENT_CONFIG_INVALID");
    return err.problems;
  }
  assert.fail("expected the config to be rejected");
}
