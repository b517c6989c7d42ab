/**
 * An OCI image layout (https://github.com/opencontainers/image-spec) as
 * files: `oci-layout`, `index.json`, content-addressed blobs, plus Docker's
 * `manifest.json` so that `docker load` reads the same archive. Pure: layers
 * and settings in, file contents out; the same inputs give the same digests.
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { ImageSpec } from "./layout.ts";
import { tarArchive, type TarEntry } from "./tar.ts";

const gzipAsync = promisify(gzip);

export const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;
export const REF_NAME = "org.opencontainers.image.ref.name";
/** containerd's `ctr images import` names the image from it without --index-name */
export const CONTAINERD_NAME = "io.containerd.image.name";

export interface Blob {
  readonly digest: string;
  readonly data: Buffer;
}

export interface Layer {
  /** the gzip-compressed tar the manifest points to */
  readonly blob: Blob;
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids */
  readonly diffId: string;
  /** shown in the config's history */
  readonly createdBy: string;
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function jsonBlob(value: unknown): Blob {
  const data = Buffer.from(JSON.stringify(value));
  return { digest: sha256(data), data };
}

/**
 * A layer from its entries. gzip from node's zlib writes no timestamp or
 * file name into its header, so the compressed bytes are reproducible too.
 */
export async function buildLayer(entries: readonly TarEntry[], createdBy: string): Promise<Layer> {
  const tar = await tarArchive(entries);
  const gz = await gzipAsync(tar);
  return { blob: { digest: sha256(gz), data: gz }, diffId: sha256(tar), createdBy };
}

export interface Platform {
  readonly architecture: string;
  readonly os: "linux";
}

const OCI_ARCH: Readonly<Record<string, string>> = {
  x64: "amd64",
  arm64: "arm64",
  arm: "arm",
  ppc64: "ppc64le",
  s390x: "s390x",
};

/** node's process.arch in the names OCI platforms use */
export function ociArchitecture(arch: string): string {
  return OCI_ARCH[arch] ?? arch;
}

/** the image's creation time: fixed like the layers' mtimes */
const CREATED = "1970-01-01T00:00:00Z";

function configBlob(spec: ImageSpec, layers: readonly Layer[], platform: Platform): Blob {
  return jsonBlob({
    created: CREATED,
    architecture: platform.architecture,
    os: platform.os,
    config: {
      User: spec.user,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Entrypoint: spec.entrypoint,
      Cmd: spec.cmd,
      WorkingDir: "/",
      Labels: { "org.opencontainers.image.title": spec.title },
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created: CREATED, created_by: l.createdBy })),
  });
}

export interface ImageFiles {
  /** path inside the layout -> contents */
  readonly files: ReadonlyMap<string, Buffer>;
  readonly manifestDigest: string;
  readonly configDigest: string;
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(":", "/")}`;
}

/** The OCI layout (and Docker's manifest.json) of one image named `name`. */
export function imageLayout(
  spec: ImageSpec,
  name: string,
  layers: readonly Layer[],
  platform: Platform,
): ImageFiles {
  const config = configBlob(spec, layers, platform);
  const manifest = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: config.digest, size: config.data.length },
    layers: layers.map((l) => ({
      mediaType: MEDIA.layer,
      digest: l.blob.digest,
      size: l.blob.data.length,
    })),
  });
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: manifest.digest,
        size: manifest.data.length,
        platform,
        annotations: { [CONTAINERD_NAME]: name, [REF_NAME]: name },
      },
    ],
  };
  const docker = [
    {
      Config: blobPath(config.digest),
      RepoTags: [name],
      Layers: layers.map((l) => blobPath(l.blob.digest)),
    },
  ];
  const files = new Map<string, Buffer>([
    ["oci-layout", Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" }))],
    ["index.json", Buffer.from(JSON.stringify(index))],
    ["manifest.json", Buffer.from(JSON.stringify(docker))],
  ]);
  for (const b of [config, manifest, ...layers.map((l) => l.blob)]) {
    files.set(blobPath(b.digest), b.data);
  }
  return { files, manifestDigest: manifest.digest, configDigest: config.digest };
}

/** The layout as one tar archive (`oci-archive:` for skopeo, `docker load`, `ctr images import`). */
export function layoutArchive(image: ImageFiles): Promise<Buffer> {
  return tarArchive(
    [...image.files].map(([path, data]) => ({ type: "file", path, mode: 0o644, data })),
  );
}
