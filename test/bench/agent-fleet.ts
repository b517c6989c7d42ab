/**
 * One process hosting many agents, each with its own config and token file,
 * all started at the same moment (a fleet of pods scheduled together).
 * Used by agent-scale.ts; prints "ready N" once every agent has rendered and
 * runs until SIGTERM.
 *
 *   node test/bench/agent-fleet.ts DIR COUNT     (DIR/agent-<i>/config.json)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAgentConfigJson } from "../../shared/agent-config/index.ts";
import { createLogger } from "../../shared/log.ts";
import { createAgent, type Agent } from "../../agent/runner/agent.ts";

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
const log = createLogger({ level: "silent", name: "fleet" });

const agents: Agent[] = await Promise.all(
  Array.from({ length: count }, (_, i) => {
    const file = join(dir!, `agent-${i}`, "config.json");
    const { config } = parseAgentConfigJson(readFileSync(file, "utf8"), file);
    return createAgent(config, { log });
  }),
);
process.stdout.write(`created ${count}\n`);
await Promise.all(agents.map((a) => a.runner.start()));
process.stdout.write(`ready ${count}\n`);

await new Promise((resolve) => process.once("SIGTERM", resolve));
await Promise.all(agents.map((a) => a.close()));
process.exit(0);
