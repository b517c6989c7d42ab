/**
 * `npm run fuzz`: the property tests with fresh random seeds and many more
 * cases than `npm test` runs. Every property prints its seed before it runs
 * (test/support/properties.ts); the seeds also go to a log file whose path
 * is printed at the end.
 *
 *   npm run fuzz                                   # every property test file, 10,000 cases each
 *   npm run fuzz -- --runs 100000 test/agent/template/go/robustness.test.ts
 *
 * Replay a failure with the seed and path it printed:
 *   VAULTLET_PROPERTY_SEED=<seed> VAULTLET_PROPERTY_PATH=<path> \
 *     node --test --test-name-pattern "<test name>" <file>
 */
import { spawnSync } from "node:child_process";
import { globSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("../../", import.meta.url).pathname;
const { values, positionals } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    log: { type: "string" },
    concurrency: { type: "string", default: "1" },
  },
  allowPositionals: true,
});

/** Test files whose properties come from test/support/properties.ts, directly or via a *.props.ts. */
function propertyFiles(): string[] {
  return globSync("test/**/*.test.ts", { cwd: root })
    .filter((f) =>
      /support\/properties\.ts"|\.props\.ts"/.test(readFileSync(join(root, f), "utf8")),
    )
    .sort();
}

const files = positionals.length > 0 ? positionals : propertyFiles();
const log = values.log ?? join(tmpdir(), `vaultlet-fuzz-${Date.now()}.log`);
console.log(`fuzz: ${files.length} files, at least ${values.runs} cases per property`);
const result = spawnSync(
  process.execPath,
  [
    "--test",
    `--test-concurrency=${values.concurrency}`,
    "--test-timeout=0",
    "--test-reporter=spec",
    ...files,
  ],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, VAULTLET_FUZZ_RUNS: values.runs, VAULTLET_FUZZ_LOG: log },
  },
);
console.log(`fuzz: the seeds of this run are in ${log}`);
process.exit(result.status ?? 1);
