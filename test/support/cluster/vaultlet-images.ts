/**
 * vaultlet's own images in the test cluster: `cli.ts up` loads them when
 * `npm run images` has written them; a test that needs one loads it itself
 * when the cluster came up before they were built, or says how to build it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestCluster } from "./client.ts";
import { imageNames } from "./images.ts";

const ROOT = resolve(import.meta.dirname, "../../..");

/** The image's full name, e.g. docker.io/vaultlet/agent:0.1.0, once it is in the cluster. */
export async function ensureVaultletImage(
  cluster: TestCluster,
  kind: "agent" | "webhook",
): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const name = `docker.io/vaultlet/${kind}:${version}`;
  if (imageNames(cluster.layout).includes(name)) return name;
  const archive = join(ROOT, "dist/images", `vaultlet-${kind}.oci.tar`);
  if (!existsSync(archive)) {
    throw new Error(`${archive} is missing: run \`npm run images\` before the real-pod tests`);
  }
  await cluster.loadImages([{ archive, name }]);
  return name;
}
