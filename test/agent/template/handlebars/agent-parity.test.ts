/**
 * Handlebars and Go templates side by side in one `vaultlet agent` run
 * against a real OpenBao and PostgreSQL: each Handlebars template in
 * test/fixtures/templates-handlebars/ is the equivalent of a Go template from
 * the differential corpus, and must render the very same bytes. Because both
 * engines ask the one secrets store, a database credential or certificate
 * requested by both is fetched once, so even those outputs are identical
 * without any normalising.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startOpenBao } from "../../../support/openbao.ts";
import { startPostgres } from "../../../support/postgres.ts";
import { makeTempDir } from "../../../support/processes.ts";
import { corpusAgentConfigHcl, OUTPUT_DIR } from "../differential/agent-config.ts";
import { loadCorpus } from "../differential/corpus.ts";
import type { CorpusEntry } from "../differential/corpus.ts";
import { runAgentOnce } from "../differential/run-agent.ts";
import type { AgentRun } from "../differential/run-agent.ts";
import { CORPUS_ENV, seedCorpusData } from "../differential/seed-data.ts";

const HANDLEBARS_DIR = resolve(import.meta.dirname, "../../../fixtures/templates-handlebars");
const VAULTLET_BIN = resolve(import.meta.dirname, "../../../../deploy/cli/bin.ts");

const pairs = Object.entries(
  JSON.parse(readFileSync(join(HANDLEBARS_DIR, "pairs.json"), "utf8")) as Record<string, string>,
);
const corpus = new Map(loadCorpus().map((e) => [e.name, e]));
const goEntries: CorpusEntry[] = pairs.map(([hbs, tpl]) => {
  const entry = corpus.get(tpl);
  if (!entry) throw new Error(`pairs.json: ${hbs} names ${tpl}, which is not in the corpus`);
  return entry;
});

function handlebarsBlock(name: string): string {
  const source = JSON.stringify(join(HANDLEBARS_DIR, name));
  const destination = JSON.stringify(`${OUTPUT_DIR}/${name}`);
  return `template {\n  source = ${source}\n  destination = ${destination}\n  engine = "handlebars"\n}\n`;
}

let run: AgentRun;

describe("handlebars and go templates rendered together by vaultlet agent", () => {
  before(async () => {
    const bao = await startOpenBao();
    const pg = await startPostgres();
    await seedCorpusData(bao, pg);
    const dir = makeTempDir("vaultlet-handlebars-parity-");
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
    const configHcl =
      corpusAgentConfigHcl({ vaultAddress: bao.address, tokenFile, entries: goEntries }) +
      pairs.map(([hbs]) => handlebarsBlock(hbs)).join("");
    const hbsEntries = pairs.map(([hbs]) => ({ ...goEntries[0]!, name: hbs }));
    run = await runAgentOnce({
      command: process.execPath,
      args: [VAULTLET_BIN, "agent"],
      dir: join(dir, "agent"),
      configHcl,
      env: CORPUS_ENV,
      entries: [...goEntries, ...hbsEntries],
    });
  });

  it("vaultlet agent renders both kinds and exits 0", () => {
    assert.equal(run.exitCode, 0, run.log.trim().split("\n").slice(-10).join("\n"));
  });

  for (const [hbs, tpl] of pairs) {
    it(`${hbs} renders the same bytes as ${tpl}`, () => {
      const go = run.outputs.get(tpl);
      const handlebars = run.outputs.get(hbs);
      assert.ok(go !== undefined, `${tpl} was not rendered`);
      assert.ok(handlebars !== undefined, `${hbs} was not rendered`);
      assert.notEqual(go.trim(), "", `${tpl} rendered nothing`);
      assert.equal(handlebars, go);
    });
  }
});
