/**
 * Builds the bundles the images ship: dist/vaultlet-agent.mjs (`vaultlet
 * agent`, `vaultlet doctor`) with its chunks in dist/vaultlet-agent-chunks/,
 * and dist/vaultlet-webhook.mjs (`vaultlet webhook`, `vaultlet inject`) with
 * its chunks in dist/vaultlet-webhook-chunks/. Both are split at their lazy
 * imports, because node holds and compiles every byte of a script it loads,
 * used or not: agent once mode never loads the Handlebars engine, the
 * metrics client or doctor; a webhook with TLS from files never loads the
 * Kubernetes client and node-forge (automatic TLS only).
 *
 *   node deploy/images/build-bundles.ts [--out=DIR] [--shebang=INTERPRETER] [--only=agent|webhook]
 *
 * The shebang (default `/usr/bin/env node`) makes a bundle executable by the
 * kernel alone, so an image can put a `vaultlet` symlink on PATH and a pod's
 * command `["vaultlet", "agent", ...]` needs no shell.
 */
import { chmod, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, type Metafile } from "esbuild";
import { describeError, VaultletError } from "../../shared/errors.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface BundleSpec {
  /** output file name, e.g. vaultlet-agent.mjs */
  readonly file: string;
  /** entry module, relative to the repository root (or absolute) */
  readonly entry: string;
  /** directory (beside the file) for the chunks its lazy imports load; one file when absent */
  readonly chunks?: string;
}

export const BUNDLES: Readonly<Record<"agent" | "webhook", BundleSpec>> = {
  agent: {
    file: "vaultlet-agent.mjs",
    entry: "deploy/images/entry/agent.ts",
    chunks: "vaultlet-agent-chunks",
  },
  webhook: {
    file: "vaultlet-webhook.mjs",
    entry: "deploy/images/entry/webhook.ts",
    chunks: "vaultlet-webhook-chunks",
  },
};

export interface BuiltBundle {
  readonly file: string;
  readonly path: string;
  /** the entry file and its chunks */
  readonly bytes: number;
  /** the project's source files inside it, relative to the repository root (no node_modules) */
  readonly sources: readonly string[];
}

export interface BuildOptions {
  readonly outDir: string;
  readonly shebang?: string;
  readonly minify?: boolean;
  readonly bundles?: readonly BundleSpec[];
}

/**
 * ESM output has no `require`, `__dirname` or `__filename`, which bundled
 * CommonJS packages use: the banner recreates them from the bundle's own URL.
 */
function banner(shebang: string): string {
  return [
    `#!${shebang}`,
    `import { createRequire as __vaultletCreateRequire } from "node:module";`,
    `import { fileURLToPath as __vaultletFileUrlToPath } from "node:url";`,
    `import { dirname as __vaultletDirname } from "node:path";`,
    `const require = __vaultletCreateRequire(import.meta.url);`,
    `const __filename = __vaultletFileUrlToPath(import.meta.url);`,
    `const __dirname = __vaultletDirname(__filename);`,
  ].join("\n");
}

/** the version in package.json, which the images and bundles carry */
export async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export async function buildBundles(opts: BuildOptions): Promise<BuiltBundle[]> {
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const version = await packageVersion();
  const built: BuiltBundle[] = [];
  for (const spec of opts.bundles ?? Object.values(BUNDLES)) {
    const path = join(outDir, spec.file);
    const out = spec.chunks
      ? {
          outdir: outDir,
          splitting: true,
          entryNames: spec.file.replace(/\.mjs$/, ""),
          chunkNames: `${spec.chunks}/[name]-[hash]`,
          outExtension: { ".js": ".mjs" },
        }
      : { outfile: path };
    if (spec.chunks) await rm(join(outDir, spec.chunks), { recursive: true, force: true });
    const result = await build({
      absWorkingDir: REPO_ROOT,
      entryPoints: [resolve(REPO_ROOT, spec.entry)],
      ...out,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node24",
      minify: opts.minify ?? true,
      legalComments: "linked",
      // only reached on Node versions without a global `performance`
      external: ["performance"],
      define: { VAULTLET_VERSION: JSON.stringify(version) },
      banner: { js: banner(opts.shebang ?? "/usr/bin/env node") },
      logLevel: "warning",
      metafile: true,
    });
    await chmod(path, 0o755);
    let bytes = (await stat(path)).size;
    if (spec.chunks) {
      const dir = join(outDir, spec.chunks);
      for (const f of await readdir(dir)) bytes += (await stat(join(dir, f))).size;
    }
    built.push({ file: spec.file, path, bytes, sources: projectSources(result.metafile) });
  }
  return built;
}

function projectSources(meta: Metafile): string[] {
  const inputs = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      if (!input.includes("node_modules/")) inputs.add(input);
    }
  }
  return [...inputs].sort();
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: "string" }, shebang: { type: "string" }, only: { type: "string" } },
  });
  const only = values.only;
  if (only !== undefined && only !== "agent" && only !== "webhook") {
    throw new VaultletError("USAGE", `--only must be agent or webhook, not "${only}"`);
  }
  const built = await buildBundles({
    outDir: values.out ?? join(REPO_ROOT, "dist"),
    ...(values.shebang ? { shebang: values.shebang } : {}),
    ...(only ? { bundles: [BUNDLES[only]] } : {}),
  });
  for (const b of built) {
    process.stdout.write(`${b.path} ${(b.bytes / 1024).toFixed(0)} KiB\n`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`build-bundles: ${describeError(err)}\n`);
    process.exitCode = 1;
  }
}
