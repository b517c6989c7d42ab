/**
 * The committed list of names `bao agent` defines for templates
 * (agent/template/functions/catalog.ts) checked against the real binary:
 * a template naming every function inside `{{ if false }}` renders, because
 * Go resolves every function name when it parses; the same template with one
 * name bao agent lacks does not. A name removed from, or added to, the
 * agent shows up here, and catalog.test.ts then requires vaultlet to
 * implement, refuse or list it.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BAO_AGENT_FUNCTIONS } from "../../../../agent/template/functions/catalog.ts";
import { findBaoBinary, startOpenBao } from "../../../support/openbao.ts";
import type { OpenBaoServer } from "../../../support/openbao.ts";
import { makeTempDir } from "../../../support/processes.ts";
import { corpusAgentConfigHcl } from "./agent-config.ts";
import type { CorpusEntry } from "./corpus.ts";
import { runAgentOnce } from "./run-agent.ts";
import type { AgentRun } from "./run-agent.ts";

let bao: OpenBaoServer;
let root: string;

function namesTemplate(names: readonly string[]): string {
  return `{{ if false }}${names.map((n) => `{{ ${n} }}`).join("\n")}{{ end }}defined\n`;
}

async function renderWithBao(name: string, text: string): Promise<AgentRun> {
  const dir = join(root, name);
  const source = join(root, `${name}.tpl`);
  writeFileSync(source, text);
  const entry: CorpusEntry = {
    name: `${name}.tpl`,
    source,
    text,
    origin: name,
    dynamic: false,
    errorOnMissingKey: false,
  };
  const tokenFile = join(root, "token");
  writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
  const configHcl = corpusAgentConfigHcl({
    vaultAddress: bao.address,
    tokenFile,
    entries: [entry],
  });
  return runAgentOnce({
    command: findBaoBinary(),
    args: ["agent"],
    dir,
    configHcl,
    env: {},
    entries: [entry],
  });
}

describe("bao agent defines every committed function name", () => {
  before(async () => {
    bao = await startOpenBao();
    root = makeTempDir("vaultlet-function-names-");
  });

  it(`bao agent parses a template calling all ${BAO_AGENT_FUNCTIONS.length} names`, async () => {
    const run = await renderWithBao("all-names", namesTemplate(BAO_AGENT_FUNCTIONS));
    assert.equal(run.exitCode, 0, run.log.slice(-800));
    assert.equal(run.outputs.get("all-names.tpl"), "defined\n");
  });

  it("bao agent refuses the same template with one name it lacks (the check can fail)", async () => {
    const names = [...BAO_AGENT_FUNCTIONS, "sprig_vaultlet_not_a_function"];
    const run = await renderWithBao("one-unknown", namesTemplate(names));
    assert.notEqual(run.exitCode, 0);
    assert.match(run.log, /function \\?"sprig_vaultlet_not_a_function\\?" not defined/);
  });
});
