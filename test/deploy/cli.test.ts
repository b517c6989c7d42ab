import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { normalizeFlags } from "../../deploy/cli/dispatch.ts";
import { COMMANDS, SOURCE_PROGRAM } from "../../deploy/cli/commands.ts";
import { AGENT_IMAGE } from "../../deploy/cli/agent-commands.ts";
import { WEBHOOK_IMAGE } from "../../deploy/cli/webhook-commands.ts";

const BIN = fileURLToPath(new URL("../../deploy/cli/bin.ts", import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

test("Go-style single-dash flags become double-dash; short flags and values stay", () => {
  assert.deepEqual(normalizeFlags(["-config=a.hcl", "-f", "-", "--x=1", "-log-level", "debug"]), [
    "--config=a.hcl",
    "-f",
    "-",
    "--x=1",
    "--log-level",
    "debug",
  ]);
});

test("vaultlet lists its commands, prints its version and refuses unknown commands", () => {
  const help = run("--help");
  assert.equal(help.status, 0);
  for (const name of ["webhook", "inject", "agent", "doctor"])
    assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
  assert.equal(run().status, 2);
  const version = run("--version");
  assert.match(version.stdout, /^vaultlet \d+\.\d+\.\d+\n$/);
  const unknown = run("constructor");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /"constructor" is not part of vaultlet/);
});

test("one command table: the bin and both image entries dispatch its halves, none writes its own", () => {
  assert.equal(SOURCE_PROGRAM.commands, COMMANDS);
  for (const image of [AGENT_IMAGE, WEBHOOK_IMAGE])
    for (const [name, command] of Object.entries(image.commands))
      assert.equal(COMMANDS[name as keyof typeof COMMANDS], command, `${image.name}: ${name}`);
  assert.deepEqual(
    Object.keys(COMMANDS).sort(),
    [...Object.keys(AGENT_IMAGE.commands), ...Object.keys(WEBHOOK_IMAGE.commands)].sort(),
  );
  const entries: Array<[string, string]> = [
    ["agent", "agent-commands.ts"],
    ["webhook", "webhook-commands.ts"],
  ];
  for (const [entry, half] of entries) {
    const text = readFileSync(
      new URL(`../../deploy/images/entry/${entry}.ts`, import.meta.url),
      "utf8",
    );
    assert.match(text, new RegExp(`from "\\.\\./\\.\\./cli/${half.replace(".", "\\.")}"`), entry);
    assert.doesNotMatch(text, /import\(/, `${entry}: a command loaded outside the table`);
  }
});
