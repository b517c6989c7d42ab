/**
 * The test app image for real-pod tests: vaultlet's own image builder
 * (deploy/images) with the same node runtime layer as the agent and webhook
 * images, plus one small script (test/cluster/app/checkout.mjs) started as
 * /usr/local/bin/checkout, so that `ps` and the agent's signal-process lookup
 * name it "checkout" as the checkout example expects. No registry, no shell.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { NODE_BIN, NONROOT, type ImageSpec } from "../../../deploy/images/layout.ts";
import { nodeRuntimeEntries } from "../../../deploy/images/rootfs.ts";
import { runtimeInputs } from "../../../deploy/images/host-inputs.ts";
import {
  buildLayer,
  imageLayout,
  layoutArchive,
  ociArchitecture,
} from "../../../deploy/images/oci.ts";
import type { TestCluster } from "./client.ts";
import { imageNames, type ImageArchive } from "./images.ts";
import { makeTempDir } from "../processes.ts";

const SCRIPT = resolve(import.meta.dirname, "../../cluster/app/checkout.mjs");
/** tagged by the script's content: a changed script is a new image, loaded anew */
export const CHECKOUT_APP_IMAGE = `vaultlet.local/checkout-app:${createHash("sha256")
  .update(readFileSync(SCRIPT))
  .digest("hex")
  .slice(0, 12)}`;

const SPEC: ImageSpec = {
  repository: "vaultlet.local/checkout-app",
  archive: "checkout-app.oci.tar",
  user: `${NONROOT.uid}:${NONROOT.gid}`,
  entrypoint: ["/usr/local/bin/checkout", "/app/checkout.mjs"],
  cmd: [],
  env: { PATH: "/usr/local/bin:/nodejs/bin" },
  title: "checkout test app (tests only)",
};

/** Builds and loads the image unless the cluster has it already; returns its name. */
export async function ensureCheckoutAppImage(cluster: TestCluster): Promise<string> {
  if (imageNames(cluster.layout).includes(CHECKOUT_APP_IMAGE)) return CHECKOUT_APP_IMAGE;
  await cluster.loadImages([await buildCheckoutAppImage(makeTempDir("vaultlet-app-image-"))]);
  return CHECKOUT_APP_IMAGE;
}

/** Writes the image archive into `dir`; returns what `loadImages` takes. */
export async function buildCheckoutAppImage(dir: string): Promise<ImageArchive> {
  const runtime = await runtimeInputs();
  const base = await buildLayer(
    nodeRuntimeEntries(runtime.node, runtime.libs, runtime.caCerts),
    "node 24, its shared libraries, accounts, CA certificates",
  );
  const app = await buildLayer(
    [
      { type: "file", path: "/app/checkout.mjs", mode: 0o644, data: await readFile(SCRIPT) },
      { type: "symlink", path: "/usr/local/bin/checkout", target: NODE_BIN },
    ],
    "checkout test app",
  );
  const platform = { architecture: ociArchitecture(process.arch), os: "linux" as const };
  const archive = join(dir, SPEC.archive);
  await writeFile(
    archive,
    await layoutArchive(imageLayout(SPEC, CHECKOUT_APP_IMAGE, [base, app], platform)),
  );
  return { archive, name: CHECKOUT_APP_IMAGE };
}
