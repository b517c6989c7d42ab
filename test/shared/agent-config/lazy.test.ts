import assert from "node:assert/strict";
import { registerHooks } from "node:module";
import { test } from "node:test";

// Records every module this process resolves from here on, to see whether
// the HCL parser (WebAssembly, slow to start) is loaded.
const resolved: string[] = [];
registerHooks({
  resolve(specifier, context, next) {
    resolved.push(specifier);
    return next(specifier, context);
  },
});

const loadsHcl = () => resolved.some((s) => s.includes("@cdktf/hcl2json"));

test("JSON configs never load the HCL parser; the first HCL config does", async () => {
  const { parseAgentConfig, parseAgentConfigJson } =
    await import("../../../shared/agent-config/index.ts");
  parseAgentConfigJson('{"vault": {"address": "http://127.0.0.1:8200"}}', "a.json");
  await parseAgentConfig('{"pid_file": "/p"}', { source: "b.json" });
  assert.equal(loadsHcl(), false);
  await parseAgentConfig('pid_file = "/p"\n', { source: "c.hcl" });
  assert.equal(loadsHcl(), true);
});
