/**
 * Template functions used wrongly (wrong types, missing arguments, values a
 * function refuses): `bao agent` and `vaultlet agent`, reading the same
 * config file, must both fail, write nothing, and report the same error at
 * the same place: line, column, the command and the message after it.
 * Each template needs its own agent run (the first failure ends an agent),
 * so the runs go a few at a time against one OpenBao.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { findBaoBinary, startOpenBao } from "../../../support/openbao.ts";
import { makeTempDir } from "../../../support/processes.ts";
import { corpusAgentConfigHcl } from "./agent-config.ts";
import { loadCorpus } from "./corpus.ts";
import type { CorpusEntry } from "./corpus.ts";
import { reportedError } from "./reported-error.ts";
import { runAgentOnce } from "./run-agent.ts";
import type { AgentRun } from "./run-agent.ts";

const CASES_DIR = resolve(import.meta.dirname, "../../../fixtures/templates-functions-failing");
const VAULTLET_BIN = resolve(import.meta.dirname, "../../../../deploy/cli/bin.ts");
/** agents at once: bao agent is light; the suite runs on 2 cores */
const PARALLEL = 3;

const entries = loadCorpus(CASES_DIR, "failing.json");
const results = new Map<string, { reference: AgentRun; vaultlet: AgentRun }>();

async function runPair(
  entry: CorpusEntry,
  root: string,
  address: string,
  tokenFile: string,
): Promise<void> {
  const configHcl = corpusAgentConfigHcl({ vaultAddress: address, tokenFile, entries: [entry] });
  const common = { configHcl, env: {}, entries: [entry] };
  const base = join(root, entry.name);
  const [reference, vaultlet] = await Promise.all([
    runAgentOnce({ ...common, command: findBaoBinary(), args: ["agent"], dir: join(base, "bao") }),
    runAgentOnce({
      ...common,
      command: process.execPath,
      args: [VAULTLET_BIN, "agent"],
      dir: join(base, "vaultlet"),
    }),
  ]);
  results.set(entry.name, { reference, vaultlet });
}

describe("differential: template functions used wrongly fail alike in both agents", () => {
  before(async () => {
    const bao = await startOpenBao();
    const root = makeTempDir("vaultlet-differential-functions-");
    const tokenFile = join(root, "token");
    writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
    const queue = [...entries];
    const worker = async (): Promise<void> => {
      for (let e = queue.shift(); e; e = queue.shift())
        await runPair(e, root, bao.address, tokenFile);
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  });

  for (const entry of entries) {
    it(`${entry.name} (${entry.origin})`, () => {
      const { reference, vaultlet } = results.get(entry.name)!;
      assert.notEqual(reference.exitCode, 0, "bao agent accepted it: the fixture is not failing");
      assert.equal(reference.outputs.size, 0);
      assert.notEqual(vaultlet.exitCode, 0, "vaultlet agent accepted a template bao agent refuses");
      assert.equal(vaultlet.outputs.size, 0, "vaultlet wrote a file for a failing template");
      const expected = reportedError(reference.log);
      assert.ok(expected, `no template error in bao agent's log:\n${reference.log.slice(-600)}`);
      assert.deepEqual(
        reportedError(vaultlet.log),
        expected,
        `vaultlet's error (actual) differs from bao agent's (expected):\n${vaultlet.log.slice(-600)}`,
      );
    });
  }
});
