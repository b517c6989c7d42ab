/**
 * Helpers that were written again in several places now have one home each;
 * this holds them there. A second definition of one of these names anywhere
 * in the programs' sources fails, with the module to import instead.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { globSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const SOURCES = globSync("{agent,shared,webhook,deploy}/**/*.ts", { cwd: ROOT });

/** helper name -> the one module that defines it */
const HOMES: Record<string, string> = {
  isObject: "shared/own.ts",
  stripUndefined: "shared/own.ts",
  parseListen: "shared/listen.ts",
  serialQueue: "shared/serial.ts",
  unquoteGo: "shared/go-string.ts",
  editDistance: "shared/edit-distance.ts",
  parseGoBool: "webhook/annotations/values.ts",
  parseDurationMs: "webhook/annotations/values.ts",
  parseQuantityOrEmpty: "webhook/annotations/values.ts",
  parseUid: "webhook/annotations/values.ts",
  parseFeatureList: "webhook/annotations/values.ts",
  extendTolerance: "agent/timing/extend-tolerance.ts",
  splitQuery: "agent/secrets/kv-path.ts",
  packageVersion: "deploy/images/build-bundles.ts",
};

function definitions(name: string): string[] {
  const defines = new RegExp(
    `^\\s*(export\\s+)?(async\\s+)?(function\\s+${name}\\b|const\\s+${name}\\s*=)`,
    "m",
  );
  return SOURCES.filter((file) => defines.test(readFileSync(resolve(ROOT, file), "utf8"))).sort();
}

test("each shared helper is defined once, in its home module", () => {
  for (const [name, home] of Object.entries(HOMES))
    assert.deepEqual(definitions(name), [home], `${name}: define it only in ${home} and import it`);
});

// `tail = next.catch(() => undefined)`: a hand-made serial promise queue
test("no module but shared/serial.ts chains promises into a serial queue by hand", () => {
  const chain = /=\s*[\w#.]+\.catch\(\(\)\s*=>\s*(undefined|\{\s*\})\)/;
  const offenders = SOURCES.filter(
    (file) => file !== "shared/serial.ts" && chain.test(readFileSync(resolve(ROOT, file), "utf8")),
  );
  assert.deepEqual(offenders, [], "use serialQueue() from shared/serial.ts");
});
