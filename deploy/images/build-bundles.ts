/**
 * Builds the single-file bundles the images ship: dist/vaultlet-agent.mjs
 * (`vaultlet agent`, `vaultlet doctor`) and dist/vaultlet-webhook.mjs
 * (`vaultlet webhook`, `vaultlet inject`), each with the HCL parser's
 * WebAssembly (main.wasm.gz) copied next to it.
 *
 *   node deploy/images/build-bundles.ts [--out=DIR] [--shebang=INTERPRETER] [--only=agent|webhook]
 *
 * The shebang (default `/usr/bin/env node`) makes a bundle executable by the
 * kernel alone, so an image can put a `vaultlet` symlink on PATH and a pod's
 * command `["vaultlet", "agent", ...]` needs no shell.
 */
import { copyFile, chmod, mkdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, type Plugin } from "esbuild";
import { describeError, VaultletError } from "../../shared/errors.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const HCL_WASM_FILE = "main.wasm.gz";

export interface BundleSpec {
  /** output file name, e.g. vaultlet-agent.mjs */
  readonly file: string;
  /** entry module, relative to the repository root (or absolute) */
  readonly entry: string;
}

export const BUNDLES: Readonly<Record<"agent" | "webhook", BundleSpec>> = {
  agent: { file: "vaultlet-agent.mjs", entry: "deploy/images/entry/agent.ts" },
  webhook: { file: "vaultlet-webhook.mjs", entry: "deploy/images/entry/webhook.ts" },
};

export interface BuiltBundle {
  readonly file: string;
  readonly path: string;
  readonly bytes: number;
}

export interface BuildOptions {
  readonly outDir: string;
  readonly shebang?: string;
  readonly minify?: boolean;
  readonly bundles?: readonly BundleSpec[];
}

/**
 * ESM output has no `require`, `__dirname` or `__filename`, which bundled
 * CommonJS packages use: the banner recreates them from the bundle's own URL,
 * and __vaultletBundleDir is where the HCL WebAssembly is looked for.
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
    `const __vaultletBundleDir = __dirname;`,
  ].join("\n");
}

/**
 * @cdktf/hcl2json reads its WebAssembly from `<package>/main.wasm.gz` through
 * __dirname. In the bundle that file sits next to the bundle instead; the
 * build fails loudly if the package changed and the expression is gone.
 */
const HCL_BRIDGE = /[\\/]@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/;
const HCL_WASM_EXPRESSION = '(0, path_1.join)(__dirname, "..", "main.wasm.gz")';
function hclWasmPlugin(): Plugin {
  return {
    name: "vaultlet-hcl-wasm",
    setup(b) {
      b.onLoad({ filter: HCL_BRIDGE }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes(HCL_WASM_EXPRESSION)) {
          throw new VaultletError(
            "BUNDLE",
            `${args.path} no longer loads its WebAssembly with ${HCL_WASM_EXPRESSION}; update the HCL WebAssembly handling in deploy/images/build-bundles.ts`,
          );
        }
        const contents = source.replace(
          HCL_WASM_EXPRESSION,
          `(0, path_1.join)(__vaultletBundleDir, ${JSON.stringify(HCL_WASM_FILE)})`,
        );
        return { contents, loader: "js" };
      });
    },
  };
}

async function packageVersion(): Promise<string> {
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
  let needsHclWasm = false;
  for (const spec of opts.bundles ?? Object.values(BUNDLES)) {
    const path = join(outDir, spec.file);
    const result = await build({
      metafile: true,
      absWorkingDir: REPO_ROOT,
      entryPoints: [resolve(REPO_ROOT, spec.entry)],
      outfile: path,
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
      plugins: [hclWasmPlugin()],
      logLevel: "warning",
    });
    // only a bundle that kept the HCL parser after tree shaking needs its WebAssembly
    needsHclWasm ||= Object.values(result.metafile.outputs).some((o) =>
      Object.entries(o.inputs).some(([f, i]) => HCL_BRIDGE.test(f) && i.bytesInOutput > 0),
    );
    await chmod(path, 0o755);
    built.push({ file: spec.file, path, bytes: (await stat(path)).size });
  }
  if (needsHclWasm) {
    const require = createRequire(import.meta.url);
    const hclPackage = dirname(require.resolve("@cdktf/hcl2json/package.json"));
    await copyFile(join(hclPackage, HCL_WASM_FILE), join(outDir, HCL_WASM_FILE));
  }
  return built;
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
