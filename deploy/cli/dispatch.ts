import { describeError, VaultletError } from "../../shared/errors.ts";

/**
 * The one command dispatcher (the table is ./commands.ts). A command module
 * exports `main(argv) => exit code` and is imported only when called.
 */
export type Main = (argv: string[]) => Promise<number>;

export interface Command {
  summary: string;
  load: () => Promise<{ main: Main }>;
}

export interface Program {
  /** how "not part of ..." errors name this program, e.g. "the agent image" */
  name: string;
  version: () => string | Promise<string>;
  commands: Record<string, Command>;
}

export function usage(program: Program): string {
  const lines = Object.entries(program.commands).map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`);
  return `usage: vaultlet <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

/**
 * Vault users type Go-style flags (`-config=FILE`); node's parseArgs wants
 * `--config=FILE`. Single-dash words longer than one letter are rewritten.
 */
export function normalizeFlags(argv: string[]): string[] {
  return argv.map((a) => (/^-[A-Za-z][A-Za-z0-9_-]+(=.*)?$/s.test(a) ? `-${a}` : a));
}

export async function dispatch(program: Program, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(usage(program));
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "version") {
    process.stdout.write(`vaultlet ${await program.version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(program.commands, name) ? program.commands[name] : undefined;
  if (!command) {
    process.stderr.write(`vaultlet: "${name}" is not part of ${program.name}\n\n${usage(program)}`);
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
