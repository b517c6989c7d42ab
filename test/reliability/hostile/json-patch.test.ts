import { describe, test } from "node:test";
import { HANG_BOUND_MS, runBounded } from "./bounded.ts";

/**
 * agent-json-patch / agent-init-json-patch that try to reach the app
 * containers or other parts of the pod (/spec/..., /metadata, ../, escaped
 * ~0/~1 tokens, prototype keys, huge patches): confined to the agent
 * container or refused naming the annotation.
 */
const props = new URL("./json-patch.props.ts", import.meta.url);

describe("hostile json-patch annotations", () => {
  test("a patch changes only its agent container, or the pod is refused naming the annotation", async () => {
    await runBounded(props, "patchesStayInTheAgentContainer", { timeoutMs: HANG_BOUND_MS });
  });
  test("patches of thousands of operations are applied to the agent alone or refused", async () => {
    await runBounded(props, "hugePatches", { timeoutMs: HANG_BOUND_MS });
  });
  test("a patch of doubling copies is refused instead of exhausting memory", async () => {
    await runBounded(props, "doublingCopiesAreRefused", {
      timeoutMs: HANG_BOUND_MS,
      maxHeapMb: 256,
    });
  });
});
