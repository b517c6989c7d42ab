import { mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { buildBundles, BUNDLES } from "../../deploy/images/build-bundles.ts";
import { makeTempDir } from "../support/processes.ts";

/**
 * The bundles built into a temporary directory the way the images hold them:
 * each `vaultlet` on a PATH directory of its own is a symlink to the bundle,
 * whose shebang names this Node, so commands run with no shell, as in a pod.
 */
export interface BuiltBundles {
  readonly dir: string;
  readonly agent: string;
  readonly webhook: string;
  /** PATH holding only the agent image's `vaultlet` */
  readonly agentPath: string;
  /** PATH holding only the webhook image's `vaultlet` */
  readonly webhookPath: string;
  /** the project's source files each bundle carries, relative to the repository root */
  readonly sources: { readonly agent: readonly string[]; readonly webhook: readonly string[] };
}

export async function buildTestBundles(): Promise<BuiltBundles> {
  const dir = makeTempDir("vaultlet-bundles-");
  const app = join(dir, "app");
  const built = await buildBundles({ outDir: app, shebang: realpathSync(process.execPath) });
  const sourcesOf = (file: string) => built.find((b) => b.file === file)!.sources;
  const agent = join(app, BUNDLES.agent.file);
  const webhook = join(app, BUNDLES.webhook.file);
  const agentPath = join(dir, "agent-bin");
  const webhookPath = join(dir, "webhook-bin");
  for (const [bin, target] of [
    [agentPath, agent],
    [webhookPath, webhook],
  ] as const) {
    mkdirSync(bin);
    symlinkSync(target, join(bin, "vaultlet"));
  }
  const sources = {
    agent: sourcesOf(BUNDLES.agent.file),
    webhook: sourcesOf(BUNDLES.webhook.file),
  };
  return { dir, agent, webhook, agentPath, webhookPath, sources };
}
