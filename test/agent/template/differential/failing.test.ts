/**
 * The other half of being a drop-in: a template the reference agent refuses
 * (test/fixtures/templates-failing/), vaultlet refuses too, in once mode:
 * a non-zero exit, no file written, and an error that points at the same
 * line as the reference's. Each template runs alone, since the first
 * failure ends an agent.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { findBaoBinary, startOpenBao } from "../../../support/openbao.ts";
import type { OpenBaoServer } from "../../../support/openbao.ts";
import { makeTempDir } from "../../../support/processes.ts";
import { corpusAgentConfigHcl } from "./agent-config.ts";
import { loadCorpus } from "./corpus.ts";
import type { CorpusEntry } from "./corpus.ts";
import { runAgentOnce } from "./run-agent.ts";
import type { AgentRun } from "./run-agent.ts";

const FAILING_DIR = resolve(import.meta.dirname, "../../../fixtures/templates-failing");
const VAULTLET_BIN = resolve(import.meta.dirname, "../../../../deploy/cli/bin.ts");

const entries = loadCorpus(FAILING_DIR, "failing.json");
let bao: OpenBaoServer;
let root: string;
let tokenFile: string;

/**
 * The line of the first `template: NAME:LINE[:COL]:` in an agent's log (Go
 * reports parse errors with a line only, execution errors with a column too).
 */
function errorLine(log: string): string | undefined {
  return /template: [^:\s]*:(\d+)(?::\d+)?:/.exec(log)?.[1];
}

async function runBoth(entry: CorpusEntry): Promise<{ reference: AgentRun; vaultlet: AgentRun }> {
  const configHcl = corpusAgentConfigHcl({
    vaultAddress: bao.address,
    tokenFile,
    entries: [entry],
  });
  const common = { configHcl, env: {}, entries: [entry] };
  const base = join(root, entry.name);
  const reference = await runAgentOnce({
    ...common,
    command: findBaoBinary(),
    args: ["agent"],
    dir: join(base, "bao"),
  });
  const vaultlet = await runAgentOnce({
    ...common,
    command: process.execPath,
    args: [VAULTLET_BIN, "agent"],
    dir: join(base, "vaultlet"),
  });
  return { reference, vaultlet };
}

describe("differential: templates both agents must refuse", () => {
  before(async () => {
    bao = await startOpenBao();
    await bao.kvPut("secret", "web", { username: "web" });
    await bao.enableKvV1("kv1");
    await bao.kvPut("kv1", "numbers", { int: 42, list: [1, 2] });
    root = makeTempDir("vaultlet-differential-failing-");
    tokenFile = join(root, "token");
    writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
  });

  for (const entry of entries) {
    it(`${entry.name} (${entry.origin})`, async () => {
      const { reference, vaultlet } = await runBoth(entry);
      assert.notEqual(reference.exitCode, 0, "bao agent accepted it: the fixture is not failing");
      assert.equal(reference.outputs.size, 0);
      assert.notEqual(vaultlet.exitCode, 0, "vaultlet agent accepted a template bao agent refuses");
      assert.equal(vaultlet.outputs.size, 0, "vaultlet wrote a file for a failing template");
      const expectedLine = errorLine(reference.log);
      assert.ok(expectedLine, `no position in bao agent's error:\n${reference.log.slice(-600)}`);
      assert.equal(
        errorLine(vaultlet.log),
        expectedLine,
        `vaultlet's error is not on bao agent's line ${expectedLine}:\n${vaultlet.log.slice(-600)}`,
      );
    });
  }
});
