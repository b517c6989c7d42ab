/**
 * Reads the OCI archives `npm run images` writes the way a container runtime
 * would, with tools independent of the builder: GNU tar unpacks the archive
 * and the layers, node's crypto checks every digest.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { makeTempDir } from "../support/processes.ts";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export interface ImageConfig {
  architecture: string;
  os: string;
  config: { User: string; Env: string[]; Entrypoint: string[]; Cmd: string[] };
  rootfs: { type: string; diff_ids: string[] };
}

export interface OpenedLayout {
  readonly dir: string;
  readonly index: { schemaVersion: number; manifests: Descriptor[] };
  blob(digest: string): Buffer;
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The archive unpacked by GNU tar into a fresh directory. */
export function openArchive(file: string): OpenedLayout {
  const dir = makeTempDir("vaultlet-oci-");
  execFileSync("tar", ["-xf", file, "-C", dir]);
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  const blob = (digest: string) => {
    const [algo, hex] = digest.split(":");
    return readFileSync(join(dir, "blobs", algo!, hex!));
  };
  return { dir, index, blob };
}

/** Reads a blob and checks it against its descriptor's digest and size. */
export function verified(layout: OpenedLayout, d: Descriptor): Buffer {
  const data = layout.blob(d.digest);
  if (sha256(data) !== d.digest) throw new Error(`blob ${d.digest} does not match its digest`);
  if (data.length !== d.size)
    throw new Error(`blob ${d.digest} is ${data.length} bytes, not ${d.size}`);
  return data;
}

export interface UnpackedImage {
  readonly rootfs: string;
  readonly config: ImageConfig;
}

/** The image's layers unpacked in order into a root filesystem, owners and modes kept. */
export function unpackImage(file: string): UnpackedImage {
  const layout = openArchive(file);
  const manifest = JSON.parse(verified(layout, layout.index.manifests[0]!).toString("utf8"));
  const config = JSON.parse(verified(layout, manifest.config).toString("utf8")) as ImageConfig;
  const rootfs = join(layout.dir, "rootfs");
  execFileSync("mkdir", ["-p", rootfs]);
  for (const layer of manifest.layers as Descriptor[]) {
    const data = verified(layout, layer);
    execFileSync("tar", ["-x", "-C", rootfs, "--numeric-owner", "--same-permissions"], {
      input: gunzipSync(data),
      maxBuffer: 1024,
    });
  }
  return { rootfs, config };
}

/** uid and gid of an image config's numeric `User` (uid:gid) */
export function imageUser(config: ImageConfig): { uid: number; gid: number } {
  const m = /^(\d+):(\d+)$/.exec(config.config.User);
  if (!m) throw new Error(`image user "${config.config.User}" is not numeric uid:gid`);
  return { uid: Number(m[1]), gid: Number(m[2]) };
}
