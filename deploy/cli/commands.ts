import { AGENT_COMMANDS } from "./agent-commands.ts";
import type { Program } from "./dispatch.ts";
import { version } from "./version.ts";
import { WEBHOOK_COMMANDS } from "./webhook-commands.ts";

/**
 * The one command table: `vaultlet` run from the sources (package.json's
 * `bin`) knows every command; each image's entry dispatches its own half
 * (./agent-commands.ts, ./webhook-commands.ts). deploy/cli/ and the image
 * entries are the only code that imports both programs.
 */
export const COMMANDS = { ...WEBHOOK_COMMANDS, ...AGENT_COMMANDS };

export const SOURCE_PROGRAM: Program = { name: "vaultlet", version, commands: COMMANDS };
