/**
 * `sockaddr` through both agents on this machine's own interfaces: the
 * corpus's sockaddr templates rendered by `bao agent` and `vaultlet agent`
 * from the same config file must match byte for byte, and the failing
 * fixtures must fail alike (same place, same message). Both agents of a
 * pair run at once, and a pair runs again when the host's interfaces
 * changed meanwhile (other clusters on a shared machine add and remove them).
 * The fixtures leave out veth interfaces: the suite's own cluster adds and
 * removes one per pod while other test files run.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join, resolve } from "node:path";
import { findBaoBinary, startOpenBao } from "../../../support/openbao.ts";
import { makeTempDir } from "../../../support/processes.ts";
import { corpusAgentConfigHcl } from "./agent-config.ts";
import { loadCorpus, type CorpusEntry } from "./corpus.ts";
import { reportedError } from "./reported-error.ts";
import { runAgentOnce, type AgentRun } from "./run-agent.ts";

const VAULTLET_BIN = resolve(import.meta.dirname, "../../../../deploy/cli/bin.ts");
/** apart from the main corpora: the host's interfaces can change between their agents' runs */
const FIXTURES = resolve(import.meta.dirname, "../../../fixtures/templates-sockaddr");

const rendering = loadCorpus(join(FIXTURES, "render"));
const failing = loadCorpus(join(FIXTURES, "failing"), "failing.json");

type Pair = { reference: AgentRun; vaultlet: AgentRun };

/** The host's interfaces, flags and addresses (all of them with `ip`), to notice a change during a run. */
function snapshot(): string {
  try {
    const out = execFileSync("ip", ["-j", "addr", "show"], { encoding: "utf8" });
    // pods come and go as veths while the suite's cluster runs; the fixtures leave them out
    const links = (JSON.parse(out) as Array<{ ifname: string }>).filter(
      (l) => !l.ifname.startsWith("veth"),
    );
    // address lifetimes count down; they are no change
    return JSON.stringify(links).replace(/"(valid|preferred)_life_time":\d+/g, "");
  } catch {
    return JSON.stringify(networkInterfaces());
  }
}
/** Other clusters on a shared machine add and remove interfaces; a pair that saw a change runs again. */
const ATTEMPTS = 3;

async function runStablePair(
  entries: CorpusEntry[],
  dir: string,
  address: string,
  tokenFile: string,
): Promise<Pair> {
  for (let attempt = 1; ; attempt++) {
    const before = snapshot();
    rmSync(dir, { recursive: true, force: true });
    const pair = await runPair(entries, dir, address, tokenFile);
    if (snapshot() === before) return pair;
    if (attempt === ATTEMPTS)
      throw new Error(`the host's interfaces changed during each of ${ATTEMPTS} runs`);
  }
}

async function runPair(
  entries: CorpusEntry[],
  dir: string,
  address: string,
  tokenFile: string,
): Promise<Pair> {
  const configHcl = corpusAgentConfigHcl({ vaultAddress: address, tokenFile, entries });
  const common = { configHcl, env: {}, entries };
  const [reference, vaultlet] = await Promise.all([
    runAgentOnce({ ...common, command: findBaoBinary(), args: ["agent"], dir: join(dir, "bao") }),
    runAgentOnce({
      ...common,
      command: process.execPath,
      args: [VAULTLET_BIN, "agent"],
      dir: join(dir, "vaultlet"),
    }),
  ]);
  return { reference, vaultlet };
}

describe("differential: sockaddr in bao agent and vaultlet agent on this host", () => {
  let rendered: Pair;
  const failed = new Map<string, Pair>();

  before(async () => {
    const bao = await startOpenBao();
    const root = makeTempDir("vaultlet-differential-sockaddr-");
    const tokenFile = join(root, "token");
    writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
    rendered = await runStablePair(rendering, join(root, "render"), bao.address, tokenFile);
    // one agent run per failing template: the first failure ends an agent
    for (const e of failing)
      failed.set(e.name, await runStablePair([e], join(root, e.name), bao.address, tokenFile));
  });

  it("covers sockaddr with at least 3 rendering and 3 failing templates", () => {
    assert.ok(rendering.length >= 3, `only ${rendering.length} rendering fixtures`);
    assert.ok(failing.length >= 3, `only ${failing.length} failing fixtures`);
  });

  for (const entry of rendering) {
    it(`${entry.name} renders the same bytes (${entry.origin})`, () => {
      const expected = rendered.reference.outputs.get(entry.name);
      assert.ok(
        expected !== undefined,
        `bao agent did not render it:\n${rendered.reference.log.slice(-600)}`,
      );
      assert.ok(expected.trim().length > 0, "bao agent rendered nothing to compare");
      const got = rendered.vaultlet.outputs.get(entry.name);
      assert.ok(
        got !== undefined,
        `vaultlet did not render it:\n${rendered.vaultlet.log.slice(-600)}`,
      );
      assert.equal(got, expected, "vaultlet's output (actual) differs from bao agent's (expected)");
    });
  }

  for (const entry of failing) {
    it(`${entry.name} fails alike (${entry.origin})`, () => {
      const { reference, vaultlet } = failed.get(entry.name)!;
      assert.notEqual(reference.exitCode, 0, "bao agent accepted it: the fixture is not failing");
      assert.notEqual(vaultlet.exitCode, 0, "vaultlet agent accepted a template bao agent refuses");
      assert.equal(vaultlet.outputs.size, 0, "vaultlet wrote a file for a failing template");
      const expected = reportedError(reference.log);
      assert.ok(expected, `no template error in bao agent's log:\n${reference.log.slice(-600)}`);
      assert.deepEqual(reportedError(vaultlet.log), expected, vaultlet.log.slice(-600));
    });
  }
});
