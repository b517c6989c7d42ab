import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { normalizeFlags } from "../../deploy/cli/dispatch.ts";

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
