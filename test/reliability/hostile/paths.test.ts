import { describe, test } from "node:test";
import { HANG_BOUND_MS, runBounded } from "./bounded.ts";

/**
 * Hostile secret names and file paths (.., absolute paths, NUL bytes, very
 * long names, unicode, backslashes): the webhook keeps every template
 * destination inside its secrets volume, and the agent's atomic writer never
 * writes outside its root.
 */
const props = new URL("./paths.props.ts", import.meta.url);

describe("hostile secret names and file paths", () => {
  test("injectPod: every template destination stays under its secret-volume-path", async () => {
    await runBounded(props, "secretNamesAndFilesStayInTheirVolume", { timeoutMs: HANG_BOUND_MS });
  });
  test("writeFileAtomic: a hostile destination writes inside the root or fails with a VaultletError", async () => {
    await runBounded(props, "writeFileAtomicNeverLeavesRoot", { timeoutMs: HANG_BOUND_MS });
  });
});
