/**
 * What the demo needs before its story starts, built or started only when
 * missing: vaultlet's images (dist/images, rebuilt when a source is newer than
 * them), the checkout app's image, and the single-node cluster of
 * test/support/cluster. A cluster that is already up (this checkout's, or the
 * one test/scripts/test.sh started: VAULTLET_CLUSTER_DIR) is reused, so a
 * repeat run skips both builds and the start.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CHECKOUT_APP_IMAGE, ensureCheckoutAppImage } from "../support/cluster/app-image.ts";
import { openCluster, type TestCluster } from "../support/cluster/client.ts";
import { imageNames } from "../support/cluster/images.ts";
import { clusterLayout, defaultStateDir } from "../support/cluster/layout.ts";
import { componentPid, isAlive } from "../support/cluster/processes.ts";
import type { DemoConsole } from "./console.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const IMAGES_DIR = join(ROOT, "dist/images");
/** what the images are built from: a newer file here means they are stale */
const IMAGE_SOURCES = ["agent", "shared", "webhook", "deploy/cli", "deploy/images", "package.json"];
const CONTROL_PLANE = ["etcd", "containerd", "kube-apiserver", "kubelet"];

export interface Prepared {
  cluster: TestCluster;
  /** true when the demo started the cluster (false: it was up already) */
  started: boolean;
  appImage: string;
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function imagesStale(): boolean {
  const archives = ["agent", "webhook"].map((k) => join(IMAGES_DIR, `vaultlet-${k}.oci.tar`));
  if (!archives.every((a) => existsSync(a))) return true;
  const built = Math.min(...archives.map((a) => statSync(a).mtimeMs));
  return IMAGE_SOURCES.some((s) => newestMtime(join(ROOT, s)) > built);
}

/** Runs a node script of the repository with its output shown, indented. */
function runScript(script: string, args: string[], out: DemoConsole): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, script), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail = "";
    const show = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      tail = (tail + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim() !== "") out.detail(`  ${line}`);
    };
    child.stdout.on("data", show);
    child.stderr.on("data", show);
    child.once("error", fail);
    child.once("exit", (code) =>
      code === 0 ? done() : fail(new Error(`${script} ${args.join(" ")} failed:\n${tail}`)),
    );
  });
}

function clusterRunning(stateDir: string): boolean {
  if (!existsSync(join(stateDir, "cluster.json"))) return false;
  const layout = clusterLayout(stateDir);
  return CONTROL_PLANE.every((c) => {
    const pid = componentPid(layout, c);
    return pid !== undefined && isAlive(pid);
  });
}

/** Re-imports the rebuilt archives over the names a running cluster has. */
async function vaultletImagesInto(cluster: TestCluster, out: DemoConsole): Promise<void> {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  const images = ["agent", "webhook"].map((k) => ({
    archive: join(IMAGES_DIR, `vaultlet-${k}.oci.tar`),
    name: `docker.io/vaultlet/${k}:${version}`,
  }));
  await cluster.loadImages(images);
  out.detail("loaded the rebuilt images into the running cluster");
}

export async function prepare(out: DemoConsole): Promise<Prepared> {
  const stale = imagesStale();
  if (stale) {
    out.detail("building vaultlet's agent and webhook images (no Docker; about 25 s)...");
    await runScript("deploy/images/build-images.ts", [], out);
  } else {
    out.detail(`vaultlet's images in dist/images are up to date with the sources`);
  }
  const stateDir = defaultStateDir(ROOT);
  const started = !clusterRunning(stateDir);
  if (started) {
    out.detail(`starting the single-node cluster in ${stateDir} (about 30-60 s)...`);
    await runScript("test/support/cluster/cli.ts", ["up"], out);
  } else {
    out.detail(`reusing the cluster that is up in ${stateDir}`);
  }
  const cluster = openCluster(stateDir);
  const [version, images] = await Promise.all([
    cluster
      .kubectl(["get", "--raw", "/version"])
      .then((text) => (JSON.parse(text) as { gitVersion: string }).gitVersion)
      .catch((err: Error) => {
        throw new Error(
          `the cluster in ${stateDir} does not answer (${err.message}): ` +
            "stop it with `node test/support/cluster/cli.ts down` and run the demo again",
        );
      }),
    Promise.resolve().then(() => imageNames(cluster.layout)),
  ]);
  out.detail(`Kubernetes ${version} at ${cluster.server}`);
  // `up` loads the archives; a running cluster gets them again only when they were rebuilt
  if (stale && !started) await vaultletImagesInto(cluster, out);
  const appImage = CHECKOUT_APP_IMAGE;
  if (!images.includes(appImage)) {
    await ensureCheckoutAppImage(cluster);
    out.detail(`built and loaded ${appImage}`);
  }
  return { cluster, started, appImage };
}
