/**
 * The test cluster from the command line:
 *   node test/support/cluster/cli.ts up       start it (cleaning a leftover one first)
 *   node test/support/cluster/cli.ts down     stop it; fails if a process, mount or the bridge is left
 *   node test/support/cluster/cli.ts status   each component's state
 *   node test/support/cluster/cli.ts env      the variables the tests read (as `export` lines)
 * Needs the set-up's exports (CLUSTER_BIN_DIR, CLUSTER_IMAGES_DIR): run it
 * after `source test/scripts/setup.sh`. The state directory is
 * VAULTLET_CLUSTER_DIR, else /tmp/vaultlet-cluster-<hash of the checkout path>.
 * `up` loads vaultlet's own images when `npm run images` has written them
 * (dist/images/vaultlet-{agent,webhook}.oci.tar, as docker.io/vaultlet/NAME:VERSION);
 * VAULTLET_CLUSTER_IMAGES adds archives to load: "ARCHIVE=NAME,ARCHIVE=NAME".
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { down, readSpec, up } from "./cluster.ts";
import type { ImageArchive } from "./images.ts";
import { clusterLayout, defaultStateDir } from "./layout.ts";
import { componentPid, isAlive } from "./processes.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const COMPONENTS = [
  "etcd",
  "containerd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
];

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run \`source test/scripts/setup.sh\` first`);
  }
  return value;
}

function extraImages(): ImageArchive[] {
  const spec = process.env.VAULTLET_CLUSTER_IMAGES ?? "";
  return spec
    .split(",")
    .filter(Boolean)
    .map((item) => {
      const eq = item.lastIndexOf("=");
      if (eq <= 0) throw new Error(`VAULTLET_CLUSTER_IMAGES: "${item}" is not ARCHIVE=NAME`);
      return { archive: resolve(item.slice(0, eq)), name: item.slice(eq + 1) };
    });
}

/** The images `npm run images` wrote, named as the chart's defaults expect. */
function vaultletImages(): ImageArchive[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    version: string;
  };
  return ["agent", "webhook"]
    .map((name) => ({
      archive: join(repoRoot, "dist", "images", `vaultlet-${name}.oci.tar`),
      name: `docker.io/vaultlet/${name}:${pkg.version}`,
    }))
    .filter((image) => existsSync(image.archive));
}

async function main(command: string | undefined): Promise<void> {
  const stateDir = defaultStateDir(repoRoot);
  const layout = clusterLayout(stateDir);
  const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
  switch (command) {
    case "up": {
      const start = Date.now();
      await up({
        stateDir,
        binDir: required("CLUSTER_BIN_DIR"),
        imagesDir: required("CLUSTER_IMAGES_DIR"),
        images: [...vaultletImages(), ...extraImages()],
        log,
      });
      log(`up in ${((Date.now() - start) / 1000).toFixed(1)} s; state and logs in ${stateDir}`);
      return;
    }
    case "down": {
      const start = Date.now();
      await down(stateDir);
      log(`down in ${((Date.now() - start) / 1000).toFixed(1)} s; logs kept in ${layout.logsDir}`);
      return;
    }
    case "status": {
      const spec = readSpec(layout);
      console.log(
        spec
          ? `state ${stateDir}, API server https://${spec.gateway}`
          : `no cluster in ${stateDir}`,
      );
      for (const c of COMPONENTS) {
        const pid = componentPid(layout, c);
        const state = pid !== undefined && isAlive(pid) ? `running (pid ${pid})` : "stopped";
        console.log(`${c.padEnd(24)} ${state}`);
      }
      return;
    }
    case "env":
      process.stdout.write(readFileSync(layout.envFile, "utf8"));
      return;
    default:
      throw new Error(
        `usage: node test/support/cluster/cli.ts up|down|status|env (got ${command ?? "nothing"})`,
      );
  }
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`[cluster] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
