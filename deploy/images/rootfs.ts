/**
 * What each layer of the images holds, from the bytes read on the build host
 * (host-inputs.ts): a distroless-style runtime (node, the shared libraries it
 * links, the accounts, CA certificates; no shell, no package manager) and the
 * bundle on top, behind `vaultlet` on PATH.
 */
import { posix } from "node:path";
import {
  APP_DIR,
  BAO_BIN_PATH,
  CA_BUNDLE,
  NODE_BIN,
  NONROOT,
  VAULTLET_LINK,
  type NodeImageSpec,
} from "./layout.ts";
import type { TarEntry } from "./tar.ts";

export interface HostFile {
  /** absolute path in the image (shared libraries keep the path the loader looks for) */
  readonly path: string;
  readonly data: Uint8Array;
}

const PASSWD = [
  "root:x:0:0:root:/root:/sbin/nologin",
  `${NONROOT.name}:x:${NONROOT.uid}:${NONROOT.gid}:${NONROOT.name}:${NONROOT.home}:/sbin/nologin`,
  "",
].join("\n");
const GROUP = ["root:x:0:", `${NONROOT.name}:x:${NONROOT.gid}:`, ""].join("\n");
/** files before DNS, as glibc reads /etc/hosts (which the kubelet mounts) first */
const NSSWITCH = ["passwd: files", "group: files", "hosts: files dns", ""].join("\n");

/** Accounts, name service order, CA certificates, /tmp and the nonroot home. */
export function systemEntries(caCerts: Uint8Array): TarEntry[] {
  const text = (path: string, s: string): TarEntry => ({
    type: "file",
    path,
    mode: 0o644,
    data: Buffer.from(s),
  });
  return [
    text("/etc/passwd", PASSWD),
    text("/etc/group", GROUP),
    text("/etc/nsswitch.conf", NSSWITCH),
    { type: "file", path: CA_BUNDLE, mode: 0o644, data: caCerts },
    { type: "directory", path: "/tmp", mode: 0o1777 },
    { type: "directory", path: "/root", mode: 0o700 },
    { type: "directory", path: NONROOT.home, mode: 0o700, uid: NONROOT.uid, gid: NONROOT.gid },
  ];
}

/** A program and the shared libraries it links (none for a static binary). */
export function programEntries(
  path: string,
  binary: Uint8Array,
  libs: readonly HostFile[],
): TarEntry[] {
  return [
    { type: "file", path, mode: 0o755, data: binary },
    ...libs.map((l): TarEntry => ({ type: "file", path: l.path, mode: 0o755, data: l.data })),
  ];
}

/** The runtime layer both vaultlet images share (one download per node). */
export function nodeRuntimeEntries(
  node: Uint8Array,
  libs: readonly HostFile[],
  caCerts: Uint8Array,
): TarEntry[] {
  return [...systemEntries(caCerts), ...programEntries(NODE_BIN, node, libs)];
}

/**
 * The bundle's files (paths relative to the bundle's output directory) under
 * /app, and /usr/local/bin/vaultlet pointing at its entry script.
 */
export function appEntries(spec: NodeImageSpec, bundleFiles: readonly HostFile[]): TarEntry[] {
  return [
    ...bundleFiles.map((f): TarEntry => ({
      type: "file",
      path: posix.join(APP_DIR, f.path),
      // the entry script runs by its shebang; chunks and notices are only read
      mode: f.path === `/${spec.bundle.file}` ? 0o755 : 0o644,
      data: f.data,
    })),
    { type: "symlink", path: VAULTLET_LINK, target: posix.join(APP_DIR, spec.bundle.file) },
  ];
}

/** The benchmark-only image of OpenBao's agent: the static bao and the system files. */
export function benchBaoEntries(
  bao: Uint8Array,
  libs: readonly HostFile[],
  caCerts: Uint8Array,
): TarEntry[] {
  return [...systemEntries(caCerts), ...programEntries(BAO_BIN_PATH, bao, libs)];
}
