import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Runs test/shared/agent-config/hcl1-json (HashiCorp's HCL parsers, built by
 * test/scripts/setup.sh) on several texts at once.
 */
export type HclJsonResult = { value: Record<string, unknown> } | { error: string };

const REPO_ROOT = join(import.meta.dirname, "../../..");
const run = promisify(execFile);

export function hclJsonBinary(): string {
  const bin = process.env["HCL1_JSON_BIN"] || join(REPO_ROOT, ".tools/bin/hcl1-json");
  assert.ok(existsSync(bin), `hcl1-json not found at ${bin}: run test/scripts/setup.sh`);
  return bin;
}

/** HCL version 1 as `bao agent` reads it, or with `hcl2` HCL 2 (Terraform). */
export async function hashicorpHcl(
  texts: string[],
  opts: { hcl2?: boolean } = {},
): Promise<HclJsonResult[]> {
  const child = run(hclJsonBinary(), opts.hcl2 ? ["-hcl2"] : [], {
    maxBuffer: 64 * 1024 * 1024,
  });
  child.child.stdin!.end(JSON.stringify(texts));
  const { stdout } = await child;
  return JSON.parse(stdout) as HclJsonResult[];
}
