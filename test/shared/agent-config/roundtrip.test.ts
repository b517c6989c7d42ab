import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { test } from "node:test";
import {
  parseAgentConfig,
  parseAgentConfigJson,
  toJson,
} from "../../../shared/agent-config/index.ts";
import { FIXTURES, fixture } from "./helpers.ts";

const valid = (await readdir(FIXTURES)).filter(
  (n) => /\.(hcl|json)$/.test(n) && !/^(invalid|syntax-error)/.test(n),
);

for (const name of valid) {
  test(`toJson(${name}) parses back to the same config`, async () => {
    const { config } = await parseAgentConfig(await fixture(name), { source: name });
    const json = JSON.stringify(toJson(config));
    assert.deepEqual(parseAgentConfigJson(json, "rendered.json").config, config);
  });
}

test("toJson writes Vault Agent's JSON form", async () => {
  const { config } = await parseAgentConfig(await fixture("kubernetes.hcl"), {
    source: "kubernetes.hcl",
  });
  const json = toJson(config) as Record<string, Record<string, unknown>>;
  assert.deepEqual(json.auto_auth, {
    method: {
      type: "kubernetes",
      mount_path: "auth/k8s-prod",
      config: { role: "payments", token_path: "/var/run/secrets/vault/token" },
      exit_on_err: false,
    },
    sink: [{ type: "file", config: { path: "/home/vault/.vault-token", mode: "0640" } }],
  });
  const [db, yaml] = json.template as unknown as Record<string, unknown>[];
  assert.equal(db?.perms, "0600");
  assert.equal(db?.command, "pkill -HUP payments");
  assert.deepEqual(yaml?.wait, { min: "2s", max: "10s" });
  assert.equal(json.exit_after_auth, false);
});
