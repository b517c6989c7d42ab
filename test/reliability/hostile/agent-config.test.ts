import { describe, test } from "node:test";
import { HANG_BOUND_MS, runBounded } from "./bounded.ts";

/** Hostile agent configs (arbitrary JSON and HCL): a config or an AgentConfigError, never a crash or hang. */
const props = new URL("./agent-config.props.ts", import.meta.url);

describe("hostile agent configs", () => {
  test("arbitrary JSON and schema-shaped documents: a config or an AgentConfigError", async () => {
    await runBounded(props, "arbitraryJsonConfigs", { timeoutMs: HANG_BOUND_MS });
  });
  test("deeply nested JSON: a config or an AgentConfigError, no stack overflow", async () => {
    await runBounded(props, "deeplyNestedJson", { timeoutMs: HANG_BOUND_MS });
  });
  test("deeply nested HCL: an AgentConfigError, and the parser still works afterwards", async () => {
    await runBounded(props, "deeplyNestedHcl", { timeoutMs: HANG_BOUND_MS });
  });
  test("arbitrary HCL text: a config or an AgentConfigError", async () => {
    await runBounded(props, "arbitraryHclConfigs", { timeoutMs: HANG_BOUND_MS });
  });
});
