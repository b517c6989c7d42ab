import { describe, test } from "node:test";
import { HANG_BOUND_MS, runBounded } from "./bounded.ts";

/** Hostile AdmissionReview bodies through reviewAdmission and the body decoder. */
const props = new URL("./admission-review.props.ts", import.meta.url);

describe("hostile AdmissionReview bodies", () => {
  test("arbitrary JSON and near-real reviews: a 400 with a message or an AdmissionReview echoing the uid", async () => {
    await runBounded(props, "arbitraryReviews", { timeoutMs: HANG_BOUND_MS });
  });
  test("arbitrary bytes: decoded, or refused with a message that does not quote the body", async () => {
    await runBounded(props, "arbitraryBodies", { timeoutMs: HANG_BOUND_MS });
  });
});
