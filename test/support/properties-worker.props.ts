import fc from "./properties.ts";

/** Run in a worker by properties.test.ts: what fast-check draws there. */
export function drawInWorker(): number[] {
  return fc.sample(fc.integer(), 5);
}
