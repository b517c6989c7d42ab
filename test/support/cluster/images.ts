/**
 * Loading OCI image archives into the cluster's containerd, in the k8s.io
 * namespace the kubelet uses. `ctr import` also makes an `import-DATE:TAG`
 * reference, which the CRI plugin may resolve instead of the image's name
 * (then "not found" under docker.io/library/import-...): those references are
 * removed, and containerd restarted so the CRI plugin rereads its images.
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
 * Imports the archives. The CRI plugin sees images imported into its
 * namespace at once; only when stray `import-*` references had to be removed
 * (returned: how many) must the caller restart containerd so the plugin
 * forgets them.
 */
export function importImages(layout: ClusterLayout, images: ImageArchive[]): number {
  for (const image of images) {
    try {
      ctr(layout, ["images", "import", "--index-name", image.name, image.archive]);
    } catch (err) {
      const detail = (err as { stderr?: string }).stderr?.trim() ?? String(err);
      throw new Error(`importing ${image.archive} as ${image.name} failed: ${detail}`, {
        cause: err,
      });
    }
  }
  const stray = ctr(layout, ["images", "ls", "-q"])
    .split("\n")
    .filter((ref) => ref.startsWith("import-"));
  if (stray.length > 0) ctr(layout, ["images", "rm", ...stray]);
  return stray.length;
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
