import assert from "node:assert/strict";
import { registerHooks } from "node:module";
import { test } from "node:test";

// Records every module this process resolves from here on.
const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, next) {
    resolved.push(specifier);
    return next(specifier, context);
  },
});

test("reading HCL and JSON configs loads only vaultlet's own modules and Node built-ins", async () => {
  const { parseAgentConfig, parseAgentConfigJson } =
    await import("../../../shared/agent-config/index.ts");
  parseAgentConfigJson('{"vault": {"address": "http://127.0.0.1:8200"}}', "a.json");
  const { config } = await parseAgentConfig('pid_file = "/p"\nvault { address = "http://x" }', {
    source: "c.hcl",
  });
  assert.equal(config.pid_file, "/p");
  assert.ok(resolved.some((s) => s.endsWith("/hcl/parser.ts")));
  const packages = resolved.filter((s) => !s.startsWith(".") && !s.startsWith("node:"));
  assert.deepEqual(packages, []);
});
