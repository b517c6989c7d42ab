import { describeError, VaultletError } from "../errors.ts";

/**
 * Each subcommand lives in its own program folder and is loaded only when
 * called, so `vaultlet agent` never pays for the webhook's dependencies.
 * A command module exports `main(argv) => exit code`.
 */
type Main = (argv: string[]) => Promise<number>;
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main: Main }> }> = {
  webhook: {
    summary: "run the mutating admission webhook server",
    load: () => import("../../webhook/cli.ts"),
  },
  inject: {
    summary: "inject the agent into Kubernetes manifests offline (-f FILE, -f - for stdin)",
    load: () => import("../../webhook/inject/cli.ts"),
  },
  agent: {
    summary: "run the agent (-config=FILE; Vault Agent config, HCL or JSON)",
    load: () => import("../../agent/cli.ts"),
  },
  doctor: {
    summary: "explain a failed login from the token's claims and Vault's answer",
    load: () => import("../../agent/doctor/cli.ts"),
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`);
  return `usage: vaultlet <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

/**
 * Vault users type Go-style flags (`-config=FILE`); node's parseArgs wants
 * `--config=FILE`. Single-dash words longer than one letter are rewritten.
 */
export function normalizeFlags(argv: string[]): string[] {
  return argv.map((a) => (/^-[A-Za-z][A-Za-z0-9_-]+(=.*)?$/s.test(a) ? `-${a}` : a));
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "version") {
    const { readFile } = await import("node:fs/promises");
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    process.stdout.write(`vaultlet ${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`vaultlet: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.main(normalizeFlags(rest));
  } catch (err) {
    process.stderr.write(`vaultlet ${name}: ${describeError(err)}\n`);
    return err instanceof VaultletError && err.code === "USAGE" ? 2 : 1;
  }
}
