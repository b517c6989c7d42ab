/**
 * `vaultlet inject -f -` (the webhook's own mutation, offline) with manifests
 * on stdin, as the real-pod tests and benchmarks admit their pods.
 */
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";

const CLI = join(resolve(import.meta.dirname, "../../.."), "deploy/cli/bin.ts");

/** The injected manifests (stdout) and the warnings printed on stderr; rejects with stderr. */
export function vaultletInject(
  manifest: string,
  vaultAddress: string,
): Promise<{ stdout: string; stderr: string }> {
  const args = [CLI, "inject", "-f", "-", `-vault-address=${vaultAddress}`];
  return new Promise((done, fail) => {
    const child = execFile(process.execPath, args, (err, stdout, stderr) => {
      if (err) fail(new Error(`vaultlet inject: ${stderr.trim() || err.message}`));
      else done({ stdout, stderr });
    });
    child.stdin?.end(manifest);
  });
}
