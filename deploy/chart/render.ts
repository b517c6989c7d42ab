/**
 * Renders the Helm chart with the real `helm template`, and writes the plain
 * manifests for clusters installed without Helm:
 *
 *   node deploy/chart/render.ts           # rewrite deploy/manifests/vaultlet.yaml
 *   node deploy/chart/render.ts --check   # exit 1 if the committed file drifted
 *
 * helm comes from HELM_BIN or .tools/bin/helm (test/scripts/setup.sh builds it).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { VaultletError } from "../../shared/errors.ts";

const run = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHART_DIR = join(REPO_ROOT, "deploy/chart/vaultlet");
export const PLAIN_MANIFESTS = join(REPO_ROOT, "deploy/manifests/vaultlet.yaml");
/** The chart needs 1.30+ (matchConditions); rendering targets a current release. */
export const KUBE_VERSION = "1.33.0";
export const PLAIN_RELEASE = "vaultlet";
export const PLAIN_NAMESPACE = "vaultlet";

export function helmBinary(): string {
  const bin = process.env["HELM_BIN"] || join(REPO_ROOT, ".tools/bin/helm");
  if (!existsSync(bin)) {
    throw new VaultletError(
      "HELM_MISSING",
      `helm not found at ${bin}: run test/scripts/setup.sh (it builds helm into .tools/bin) or set HELM_BIN`,
    );
  }
  return bin;
}

export interface RenderOptions {
  readonly release: string;
  readonly namespace: string;
  /** a values file's contents (YAML or JSON), merged over values.yaml */
  readonly values?: string;
}

/** `helm template` output: multi-document YAML. */
export async function renderChart(opts: RenderOptions): Promise<string> {
  const args = [
    "template",
    opts.release,
    CHART_DIR,
    "--namespace",
    opts.namespace,
    "--kube-version",
    KUBE_VERSION,
  ];
  const dir = await mkdtemp(join(tmpdir(), "vaultlet-chart-"));
  try {
    if (opts.values !== undefined) {
      const file = join(dir, "values.yaml");
      await writeFile(file, opts.values);
      args.push("--values", file);
    }
    const { stdout } = await run(helmBinary(), args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    if (err instanceof VaultletError) throw err;
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new VaultletError("HELM_TEMPLATE", `helm template failed: ${stderr.trim()}`, {
      cause: err,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `helm lint --strict`: template errors and chart metadata problems; throws with helm's findings. */
export async function lintChart(): Promise<string> {
  try {
    const { stdout } = await run(helmBinary(), [
      "lint",
      "--strict",
      "--kube-version",
      KUBE_VERSION,
      CHART_DIR,
    ]);
    return stdout;
  } catch (err) {
    if (err instanceof VaultletError) throw err;
    const out = `${(err as { stdout?: string }).stdout ?? ""}${(err as { stderr?: string }).stderr ?? ""}`;
    throw new VaultletError("HELM_LINT", `helm lint failed: ${out.trim()}`, { cause: err });
  }
}

const HEADER = `# vaultlet webhook: plain manifests for installing without Helm.
# Generated from deploy/chart/vaultlet by \`node deploy/chart/render.ts\`
# (release "${PLAIN_RELEASE}", namespace "${PLAIN_NAMESPACE}", default values); do not edit.
# Set AGENT_INJECT_VAULT_ADDR in the Deployment to your Vault address, then:
#   kubectl apply -f deploy/manifests/vaultlet.yaml
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${PLAIN_NAMESPACE}
`;

export async function renderPlainManifests(): Promise<string> {
  const body = await renderChart({ release: PLAIN_RELEASE, namespace: PLAIN_NAMESPACE });
  return HEADER + body;
}

async function main(argv: string[]): Promise<number> {
  const wanted = await renderPlainManifests();
  if (argv.includes("--check")) {
    const current = existsSync(PLAIN_MANIFESTS) ? await readFile(PLAIN_MANIFESTS, "utf8") : "";
    if (current === wanted) return 0;
    process.stderr.write(
      `${PLAIN_MANIFESTS} differs from the chart: run node deploy/chart/render.ts\n`,
    );
    return 1;
  }
  await writeFile(PLAIN_MANIFESTS, wanted);
  process.stdout.write(`wrote ${PLAIN_MANIFESTS}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
