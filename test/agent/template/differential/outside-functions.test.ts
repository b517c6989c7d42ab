/**
 * writeToFile and plugin, allowed, side by side with `bao agent`: both agents
 * read the same config file (its `vaultlet { allow_functions }` block is
 * vaultlet's; bao agent ignores it) and run in their own working directory,
 * so relative paths land apart. For each template: the same exit (both
 * succeed or both fail), the same rendered bytes, the same files written by
 * writeToFile (bytes and mode), and for a failure the same error text, from
 * the line and column to the end of the message (stdout and stderr of a
 * failed plugin included).
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { findBaoBinary, startOpenBao } from "../../../support/openbao.ts";
import { makeTempDir } from "../../../support/processes.ts";
import { corpusAgentConfigHcl } from "./agent-config.ts";
import type { CorpusEntry } from "./corpus.ts";
import { runAgentOnce, type AgentRun } from "./run-agent.ts";

const VAULTLET_BIN = resolve(import.meta.dirname, "../../../../deploy/cli/bin.ts");
const PARALLEL = 3;
const SECRET = "outside-Pa55word";

interface Case {
  name: string;
  template: string;
  /** files (relative to the agent's directory) writeToFile should leave */
  files?: string[];
  /** what bao agent's error says (so a case cannot pass on two empty errors) */
  error?: RegExp;
}

const W = "writeToFile";
const CASES: Case[] = [
  {
    name: "w-plain",
    template: `a{{ ${W} "side/a.txt" "" "" "0604" "hello" }}b`,
    files: ["side/a.txt"],
  },
  {
    name: "w-append-newline",
    template:
      `{{ ${W} "side/b.txt" "" "" "0600" "zero" }}` +
      `{{ ${W} "side/b.txt" "" "" "0600" "append,newline" "one" }}` +
      `{{ ${W} "side/b.txt" "" "" "0644" "append" "two" }}x`,
    files: ["side/b.txt"],
  },
  {
    name: "w-secret-nested",
    template: `{{ with secret "kv/data/app" }}{{ .Data.data.pw | ${W} "side/deep/er/c.txt" "" "" "0640" "newline" }}{{ end }}done`,
    files: ["side/deep/er/c.txt"],
  },
  {
    name: "w-three-args",
    template: `{{ ${W} "side/d.txt" "" "" "0644" "a" "b" "c" }}`,
    files: ["side/d.txt"],
  },
  { name: "w-append-no-dir", template: `{{ ${W} "side/no/j.txt" "" "" "0644" "append" "x" }}` },
  { name: "w-bad-mode", template: `{{ ${W} "side/e.txt" "" "" "9z" "x" }}` },
  {
    name: "w-no-content",
    template: `{{ ${W} "side/f.txt" "" "" "0644" }}`,
    error: /index out of range \[-1\]$/,
  },
  { name: "w-unknown-user", template: `{{ ${W} "side/g.txt" "no-such-user-xyz" "" "0644" "x" }}` },
  {
    name: "w-unknown-group",
    template: `{{ ${W} "side/h.txt" "" "no-such-group-xyz" "0644" "x" }}`,
  },
  {
    name: "w-not-a-dir",
    template: `{{ ${W} "config.hcl/x" "" "" "0644" "x" }}`,
    error: /open config\.hcl\/x: not a directory$/,
  },
  { name: "w-wrong-type", template: `{{ ${W} "side/i.txt" "" "" 644 "x" }}` },
  { name: "p-echo", template: `[{{ plugin "echo" "  a " "" "b c" }}]` },
  { name: "p-empty-command", template: `[{{ plugin "" "x" }}]` },
  {
    name: "p-secret-arg",
    template: `{{ with secret "kv/data/app" }}[{{ plugin "printf" "%s-%s\\n\\n" .Data.data.pw "x" }}]{{ end }}`,
  },
  {
    name: "p-exit-status",
    template: `{{ plugin "/bin/sh" "-c" "echo partial; echo bad >&2; exit 3" }}`,
    error: /: exec "\/bin\/sh": exit status 3\n\nstdout:\n\npartial\n\n\nstderr:\n\nbad$/,
  },
  {
    name: "p-killed",
    template: `{{ plugin "/bin/sh" "-c" "kill -9 $$" }}`,
    error: /exec "\/bin\/sh": signal: killed\n/,
  },
  {
    name: "p-not-on-path",
    template: `{{ plugin "no-such-plugin-xyz" }}`,
    error: /executable file not found in \$PATH\n/,
  },
  { name: "p-no-such-file", template: `{{ plugin "/no/such/plugin" }}` },
  {
    name: "p-not-executable",
    template: `{{ plugin "./config.hcl" }}`,
    error: /fork\/exec \.\/config\.hcl: permission denied\n/,
  },
  { name: "p-no-args", template: "{{ plugin }}" },
];

/** The first template error's full text, from `:LINE:COL:` on, in either agent's log. */
export function templateError(log: string): string | undefined {
  let text: string | undefined;
  const multi = /template server error:\n {2}error=\n((?: {2}\|.*\n?)+)/.exec(log);
  if (multi) {
    text = multi[1]!
      .split("\n")
      .filter((l) => l.startsWith("  |"))
      .map((l) => l.replace(/^ {2}\| ?/, ""))
      .join("\n");
  } else {
    for (const line of log.split("\n")) {
      const quoted = /(?:error="|"error":")(.*?template: .*?)(?:" backoff=|","|"\}|"$)/.exec(line);
      if (quoted) {
        text = quoted[1]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
        break;
      }
    }
  }
  const m = text === undefined ? null : /template: [^:\n]*(:\d+:\d+: [\s\S]*)$/.exec(text);
  // the name after `executing` is the template's own: "" in bao agent, the destination in vaultlet
  return m?.[1]?.replace(/\n+$/, "").replace(/^(:\d+:\d+: executing )"[^"]*"/, '$1""');
}

const results = new Map<string, { reference: AgentRun; vaultlet: AgentRun; dirs: string[] }>();

function sideFile(dir: string, file: string): { bytes: string; mode: string } | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) return undefined;
  return { bytes: readFileSync(path, "latin1"), mode: (statSync(path).mode & 0o7777).toString(8) };
}

describe("differential: writeToFile and plugin, allowed, run as bao agent runs them", () => {
  before(async () => {
    const bao = await startOpenBao();
    await bao.enableKvV2("kv");
    await bao.kvPut("kv", "app", { pw: SECRET });
    const root = makeTempDir("vaultlet-differential-outside-");
    const tokenFile = join(root, "token");
    writeFileSync(tokenFile, bao.rootToken, { mode: 0o600 });
    const queue = [...CASES];
    const runPair = async (c: Case): Promise<void> => {
      const source = join(root, `${c.name}.tpl`);
      writeFileSync(source, c.template);
      const entry: CorpusEntry = {
        ...{ name: c.name, source, text: c.template, origin: "outside-functions" },
        ...{ dynamic: false, errorOnMissingKey: false },
      };
      const configHcl =
        corpusAgentConfigHcl({ vaultAddress: bao.address, tokenFile, entries: [entry] }) +
        'vaultlet {\n  allow_functions = ["writeToFile", "plugin"]\n}\n';
      const dirs = ["bao", "vaultlet"].map((a) => join(root, c.name, a));
      for (const d of dirs) mkdirSync(d, { recursive: true });
      const common = { configHcl, env: {}, entries: [entry] };
      const [reference, vaultlet] = await Promise.all([
        runAgentOnce({ ...common, command: findBaoBinary(), args: ["agent"], dir: dirs[0]! }),
        runAgentOnce({
          ...common,
          command: process.execPath,
          args: [VAULTLET_BIN, "agent"],
          dir: dirs[1]!,
        }),
      ]);
      results.set(c.name, { reference, vaultlet, dirs });
    };
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) await runPair(c);
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  });

  for (const c of CASES) {
    it(c.name, () => {
      const { reference, vaultlet, dirs } = results.get(c.name)!;
      const ok = (r: AgentRun) => r.exitCode === 0;
      assert.equal(ok(vaultlet), ok(reference), `exit codes differ:\n${vaultlet.log.slice(-800)}`);
      assert.deepEqual(vaultlet.outputs, reference.outputs);
      for (const f of c.files ?? []) {
        const expected = sideFile(dirs[0]!, f);
        assert.ok(expected, `bao agent wrote no ${f}`);
        assert.deepEqual(sideFile(dirs[1]!, f), expected, f);
      }
      if (!ok(reference)) {
        const expected = templateError(reference.log);
        assert.ok(expected, `no template error in bao agent's log:\n${reference.log.slice(-800)}`);
        assert.equal(templateError(vaultlet.log), expected);
        if (c.error) assert.match(expected, c.error);
      }
      assert.ok(!vaultlet.log.includes(SECRET), "vaultlet logged the secret");
    });
  }
});
