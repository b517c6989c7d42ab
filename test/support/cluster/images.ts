/**
 * Loading OCI image archives into the cluster's containerd, in the k8s.io
 * namespace the kubelet uses. The CRI plugin follows containerd's image
 * events, so a loaded image runs at once, with no restart (a restart while
 * other tests start pods fails them with "error reading from server: EOF").
 * That holds only for archives whose index names each manifest in full
 * (`org.opencontainers.image.ref.name` such as `vaultlet.local/probe:1`): for
 * a bare tag like `latest`, `ctr import` adds an `import-DATE:latest`
 * reference that the CRI plugin may resolve instead of the image's name.
 * Such an archive is refused.
 */
import { execFileSync } from "node:child_process";
import type { ClusterLayout } from "./layout.ts";

function ctr(layout: ClusterLayout, args: string[]): string {
  return execFileSync("ctr", ["--address", layout.containerdSocket, "-n", "k8s.io", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface ImageArchive {
  /** Path of a tar of an OCI image layout. */
  archive: string;
  /** The full name pods use, e.g. docker.io/vaultlet/agent:0.1.0. */
  name: string;
}

/**
 * One `ctr images import`, tried again (up to four times, a growing pause
 * between) when containerd answers "content digest ...: not found": seen
 * now and then on a loaded machine, both into a fresh containerd and over
 * an existing name, while the same import by hand passed; once, at cluster
 * start, two tries in a row failed.
 */
function importOnce(layout: ClusterLayout, image: ImageArchive): void {
  const args = ["images", "import", "--index-name", image.name, image.archive];
  for (let attempt = 1; ; attempt++) {
    try {
      ctr(layout, args);
      return;
    } catch (err) {
      const transient = /content digest .*not found/.test(
        (err as { stderr?: string }).stderr ?? "",
      );
      if (!transient || attempt === IMPORT_ATTEMPTS) throw err;
      // the failed import leaves the name behind, pointing at content that is not there
      removeImage(layout, image.name);
      pauseSync(attempt * 500);
    }
  }
}

const IMPORT_ATTEMPTS = 4;

function removeImage(layout: ClusterLayout, name: string): void {
  try {
    ctr(layout, ["images", "rm", "--sync", name]);
  } catch {
    // nothing to remove
  }
}

/** The harness's set-up is synchronous; a short pause here holds nothing else up. */
function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Imports the archives; throws, naming the archive, when one lacks full image names. */
export function importImages(layout: ClusterLayout, images: ImageArchive[]): void {
  for (const image of images) {
    try {
      importOnce(layout, image);
    } catch (err) {
      const detail = (err as { stderr?: string }).stderr?.trim() ?? String(err);
      throw new Error(`importing ${image.archive} as ${image.name} failed: ${detail}`, {
        cause: err,
      });
    }
    const stray = imageNames(layout).filter((ref) => ref.startsWith("import-"));
    if (stray.length > 0) {
      ctr(layout, ["images", "rm", ...stray]);
      throw new Error(
        `${image.archive} names its image only by a tag (containerd made ${stray.join(", ")}): ` +
          `set org.opencontainers.image.ref.name in its index.json to the full name, e.g. ${image.name}`,
      );
    }
  }
}

export function imageNames(layout: ClusterLayout): string[] {
  return ctr(layout, ["images", "ls", "-q"]).split("\n").filter(Boolean);
}

/** Kills and deletes every task and container containerd runs (the kubelet is stopped). */
export function removeAllContainers(layout: ClusterLayout): void {
  const tasks = ctr(layout, ["tasks", "ls", "-q"]).split("\n").filter(Boolean);
  for (const id of tasks) {
    try {
      ctr(layout, ["tasks", "kill", "-a", "-s", "SIGKILL", id]);
    } catch {
      // already stopped
    }
  }
  for (const id of tasks) {
    try {
      ctr(layout, ["tasks", "delete", "-f", id]);
    } catch {
      // the sweep after this kills what is left
    }
  }
  const containers = ctr(layout, ["containers", "ls", "-q"]).split("\n").filter(Boolean);
  for (const id of containers) {
    try {
      ctr(layout, ["containers", "delete", id]);
    } catch {
      // left to the sweep
    }
  }
}
