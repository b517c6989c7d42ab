/**
 * The test app image for real-pod tests: vaultlet's own image builder
 * (deploy/images) with the same node runtime layer as the agent and webhook
 * images, plus one small script (test/cluster/app/checkout.mjs) started as
 * /usr/local/bin/checkout, so that `ps` and the agent's signal-process lookup
 * name it "checkout" as the checkout example expects. No registry, no shell.
 */
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
import type { ImageArchive } from "./images.ts";

export const CHECKOUT_APP_IMAGE = "vaultlet.local/checkout-app:1";
const SCRIPT = resolve(import.meta.dirname, "../../cluster/app/checkout.mjs");

const SPEC: ImageSpec = {
  repository: "vaultlet.local/checkout-app",
  archive: "checkout-app.oci.tar",
  user: `${NONROOT.uid}:${NONROOT.gid}`,
  entrypoint: ["/usr/local/bin/checkout", "/app/checkout.mjs"],
  cmd: [],
  env: { PATH: "/usr/local/bin:/nodejs/bin" },
  title: "checkout stand-in (tests only)",
};

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
    "checkout stand-in",
  );
  const platform = { architecture: ociArchitecture(process.arch), os: "linux" as const };
  const archive = join(dir, SPEC.archive);
  await writeFile(
    archive,
    await layoutArchive(imageLayout(SPEC, CHECKOUT_APP_IMAGE, [base, app], platform)),
  );
  return { archive, name: CHECKOUT_APP_IMAGE };
}
