import { describe, test } from "node:test";
import { HANG_BOUND_MS, runBounded } from "./bounded.ts";

/**
 * Hostile annotation names and values (arbitrary strings under
 * vault.hashicorp.com/): injection answers skip, patch or a reject with a
 * message, never throws or hangs; a patch gives a schema-valid pod whose
 * template destinations stay in the secrets volumes and whose app containers
 * never mount the Vault-audience token.
 */
const props = new URL("./annotations.props.ts", import.meta.url);

describe("hostile annotations", () => {
  test("arbitrary annotation names and values: skip, valid patch or clear rejection, never a crash or hang", async () => {
    await runBounded(props, "arbitraryAnnotations", { timeoutMs: HANG_BOUND_MS });
  });
  test("a bad value of a known annotation is rejected naming that annotation", async () => {
    await runBounded(props, "rejectionsNameTheAnnotation", { timeoutMs: HANG_BOUND_MS });
  });
});
