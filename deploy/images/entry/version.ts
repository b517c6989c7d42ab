import { normalizeFlags } from "../../../shared/cli/run.ts";
import { describeError, VaultletError } from "../../../shared/errors.ts";

/**
 * The command dispatcher of one image's bundle. Each bundle carries only the
 * commands its image runs (the agent image: agent and doctor; the webhook
 * image: webhook and inject), so `vaultlet agent` in the agent image never
 * loads the webhook's dependencies and the bundles stay small. It answers
 * exactly like `vaultlet` run from the sources for the commands it has.
 */
type Main = (argv: string[]) => Promise<number>;
export type CommandTable = Record<string, () => Promise<{ main: Main }>>;

export async function dispatch(
  program: string,
  version: string,
  commands: CommandTable,
  argv: string[],
): Promise<number> {
  const [name, ...rest] = argv;
  const usage = `usage: vaultlet <command> [options]\n\ncommands in ${program}: ${Object.keys(commands).join(", ")}\n`;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "version") {
    process.stdout.write(`vaultlet ${version}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`vaultlet: command "${name}" is not part of ${program}\n\n${usage}`);
    return 2;
  }
  try {
    const mod = await load();
    return await mod.main(normalizeFlags(rest));
  } catch (err) {
    process.stderr.write(`vaultlet ${name}: ${describeError(err)}\n`);
    return err instanceof VaultletError && err.code === "USAGE" ? 2 : 1;
  }
}

/** Replaced at bundle time by the package version; "dev" when run from the sources. */
export function bundleVersion(): string {
  return typeof VAULTLET_VERSION === "string" ? VAULTLET_VERSION : "dev";
}
declare const VAULTLET_VERSION: string | undefined;
