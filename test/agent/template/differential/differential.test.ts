/**
 * Differential test: the template corpus (test/fixtures/templates/) rendered
 * by the reference agent (`bao agent`) and by `vaultlet agent`, both in once
 * mode, reading the same config file against the same real OpenBao (with a
 * real PostgreSQL behind its database engine). Every output must be byte for
 * byte identical; for templates that show per-fetch values (database users,
 * passwords, certificates) both outputs are first normalised to placeholders
 * of the same shape (normalise.ts). One process of each agent renders the
 * whole corpus, so the suite stays fast.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { findBaoBinary, startOpenBao } from "../../../support/openbao.ts";
import { startPostgres } from "../../../support/postgres.ts";
import { assertNoSecretsIn } from "../../../support/log-capture.ts";
import { makeTempDir } from "../../../support/processes.ts";
import { corpusAgentConfigHcl } from "./agent-config.ts";
import { databaseUsers, keyMatchesCertificate, pemBlock, vaultSerial } from "./consistency.ts";
import { loadCorpus } from "./corpus.ts";
import type { CorpusEntry } from "./corpus.ts";
import { normaliseDynamic } from "./normalise.ts";
import { runAgentOnce } from "./run-agent.ts";
import type { AgentRun } from "./run-agent.ts";
import { CORPUS_ENV, seedCorpusData } from "./seed-data.ts";

const VAULTLET_BIN = resolve(import.meta.dirname, "../../../../deploy/cli/bin.ts");

const entries = loadCorpus();
/** corpus templates reading database/creds/db-app */
const DB_APP_TEMPLATES = entries
  .filter((e) => e.text.includes('secret "database/creds/db-app"'))
  .map((e) => e.name);
let reference: AgentRun;
let vaultlet: AgentRun;
let rootToken = "";

function comparable(entry: CorpusEntry, text: string): string {
  return entry.dynamic ? normaliseDynamic(text) : text;
}

function lastLines(log: string, n: number): string {
  return log.trim().split("\n").slice(-n).join("\n");
}

describe("differential: bao agent vs vaultlet agent on the template corpus", () => {
  before(async () => {
    const bao = await startOpenBao();
    rootToken = bao.rootToken;
    const pg = await startPostgres();
    await seedCorpusData(bao, pg);
    const root = makeTempDir("vaultlet-differential-");
    const tokenFile = join(root, "token");
    writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
    const configHcl = corpusAgentConfigHcl({ vaultAddress: bao.address, tokenFile, entries });
    const common = { configHcl, env: CORPUS_ENV, entries };
    // one after the other: the database engine and the PKI CA serve both
    reference = await runAgentOnce({
      ...common,
      command: findBaoBinary(),
      args: ["agent"],
      dir: join(root, "bao"),
    });
    vaultlet = await runAgentOnce({
      ...common,
      command: process.execPath,
      args: [VAULTLET_BIN, "agent"],
      dir: join(root, "vaultlet"),
    });
  });

  it("the reference agent renders every corpus template (the corpus itself is valid)", () => {
    assert.equal(
      reference.exitCode,
      0,
      `bao agent exited ${reference.exitCode}:\n${lastLines(reference.log, 15)}`,
    );
    assert.equal(reference.outputs.size, entries.length);
  });

  it("vaultlet agent exits 0 after rendering the corpus once", () => {
    assert.equal(
      vaultlet.exitCode,
      0,
      `vaultlet agent exited ${vaultlet.exitCode}:\n${lastLines(vaultlet.log, 15)}`,
    );
  });

  it("vaultlet agent's log shows neither its token nor a private key it rendered", () => {
    const key = pemBlock(vaultlet.outputs.get("pki-shared-key.tpl") ?? "", "EC PRIVATE KEY");
    assert.ok(key, "the private key was rendered");
    assertNoSecretsIn(vaultlet.log, [rootToken, key]);
  });

  for (const [agent, run] of [
    ["bao agent", () => reference],
    ["vaultlet agent", () => vaultlet],
  ] as const) {
    it(`${agent} shows one database user for db-app in every template (fetched once)`, () => {
      const perTemplate = DB_APP_TEMPLATES.map((name) =>
        databaseUsers([run().outputs.get(name) ?? ""], "db-app"),
      );
      const showing = perTemplate.filter((users) => users.length > 0).length;
      assert.ok(showing >= 4, `only ${showing} db-app templates show a user name`);
      const distinct = new Set(perTemplate.flat());
      assert.equal(distinct.size, 1, `different db-app users: ${[...distinct].join(", ")}`);
    });

    it(`${agent} writes the certificate, key and serial of one pki/issue`, () => {
      const cert = pemBlock(run().outputs.get("pki-shared-cert.tpl") ?? "", "CERTIFICATE");
      const key = pemBlock(run().outputs.get("pki-shared-key.tpl") ?? "", "EC PRIVATE KEY");
      const serial = /serial=(\S+)/.exec(run().outputs.get("pki-shared-serial.tpl") ?? "")?.[1];
      assert.ok(
        keyMatchesCertificate(cert, key),
        "the key file does not belong to the certificate",
      );
      assert.equal(serial, vaultSerial(cert));
    });
  }

  for (const entry of entries) {
    it(`${entry.name} (${entry.origin})`, () => {
      const expected = reference.outputs.get(entry.name);
      assert.ok(expected !== undefined, `bao agent did not render ${entry.name}`);
      const got = vaultlet.outputs.get(entry.name);
      assert.ok(
        got !== undefined,
        `vaultlet did not render ${entry.name}; its log ends:\n${lastLines(vaultlet.log, 8)}`,
      );
      assert.equal(
        comparable(entry, got),
        comparable(entry, expected),
        `${entry.name}: vaultlet's output (actual) differs from bao agent's (expected)`,
      );
    });
  }
});
