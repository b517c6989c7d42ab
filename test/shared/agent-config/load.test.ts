import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadAgentConfig } from "../../../shared/agent-config/index.ts";
import { FIXTURES, problemsOf } from "./helpers.ts";

const MERGE = join(FIXTURES, "merge");

test("a directory: its .hcl and .json files in name order, merged as Vault Agent merges -config flags", async () => {
  const { config, warnings } = await loadAgentConfig([MERGE]);
  assert.deepEqual(warnings, []);
  // later block replaces the earlier one whole
  assert.deepEqual(config.auto_auth?.method, {
    type: "jwt",
    mount_path: "auth/jwt",
    config: { path: "/tmp/jwt", role: "second" },
    exit_on_err: false,
  });
  // templates appended, later scalar wins, exit_after_auth true if any file sets it
  assert.deepEqual(
    config.template.map((t) => t.destination),
    ["/out/a", "/out/b"],
  );
  assert.equal(config.pid_file, "/run/agent-2.pid");
  assert.equal(config.exit_after_auth, true);
});

test("several paths merge in the order given; files and directories mix", async () => {
  const { config } = await loadAgentConfig([
    join(MERGE, "20-templates.json"),
    join(FIXTURES, "kubernetes.hcl"),
  ]);
  assert.equal(config.auto_auth?.method.type, "kubernetes");
  assert.equal(config.pid_file, "/home/vault/.pid");
  assert.deepEqual(
    config.template.map((t) => t.destination),
    ["/out/b", "/vault/secrets/db.env", "/vault/secrets/config.yaml"],
  );
  assert.equal(config.exit_after_auth, true);
});

test("problems from every file and unreadable paths come back together", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vaultlet-agent-config-"));
  try {
    await writeFile(join(dir, "a.hcl"), 'vault {\n  adress = "x"\n}\n');
    await writeFile(join(dir, "b.json"), '{"template": [{"contents": "x"}]}');
    const missing = join(dir, "nope.hcl");
    const problems = await problemsOf(() => loadAgentConfig([dir, missing]));
    assert.deepEqual(problems, [
      `${missing}: cannot read: ENOENT`,
      `${join(dir, "a.hcl")}:2: vault.adress: unknown key; did you mean "address"?`,
      `${join(dir, "b.json")}:1: template[0].destination: required`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("rules over the merged config: env_template in one file, exec in another", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vaultlet-agent-config-"));
  try {
    await writeFile(join(dir, "env.hcl"), 'env_template "A" {\n  contents = "1"\n}\n');
    const problems = await problemsOf(() => loadAgentConfig([dir]));
    assert.deepEqual(problems, [
      `${join(dir, "env.hcl")}: env_template: needs a top-level exec block: the command that receives these variables`,
    ]);
    await writeFile(join(dir, "exec.json"), '{"exec": {"command": ["/app"]}}');
    const { config } = await loadAgentConfig([dir]);
    assert.deepEqual(config.exec?.command, ["/app"]);
    assert.equal(config.env_template[0]?.name, "A");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an empty directory is an error, not an empty config", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vaultlet-agent-config-"));
  try {
    assert.deepEqual(await problemsOf(() => loadAgentConfig([dir])), [
      `${dir}: no .hcl or .json config files found`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("config texts after the files: merged with them, whole-config rules on the result", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vaultlet-agent-config-"));
  try {
    await writeFile(join(dir, "exec.hcl"), 'exec {\n  command = ["/app"]\n}\n');
    const env = JSON.stringify({ env_template: { TOKEN: { contents: "t" } }, pid_file: "/p" });
    const { config } = await loadAgentConfig([dir], [{ text: env, source: "$VAULT_CONFIG" }]);
    assert.deepEqual(config.exec?.command, ["/app"]);
    assert.deepEqual(
      config.env_template.map((t) => t.name),
      ["TOKEN"],
    );
    assert.equal(config.pid_file, "/p");
    assert.deepEqual(
      await problemsOf(() =>
        loadAgentConfig(
          [],
          [{ text: '{"vault": {"adress": "x"}}', source: "$VAULT_CONFIG", format: "json" }],
        ),
      ),
      ['$VAULT_CONFIG:1: vault.adress: unknown key; did you mean "address"?'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
