import { setFlagsFromString } from "node:v8";
import { AGENT_IMAGE } from "../../cli/agent-commands.ts";
import { dispatch } from "../../cli/dispatch.ts";

/**
 * Entry of the agent image's bundle: `vaultlet agent` and `vaultlet doctor`.
 *
 * V8 flags that NODE_OPTIONS refuses; a pod's command (`vaultlet agent`,
 * through the bundle's shebang) bypasses the image's entrypoint, so the
 * bundle sets them itself, before the command's modules load.
 * `--optimize-for-size` makes V8 favour a small heap over collector speed;
 * `--bytecode-old-age=1` drops the bytecode of functions that have not run
 * since the last full collection (start-up, config parsing), which a
 * sidecar's render loop rebuilds, if ever, in microseconds. Together they
 * took 2 to 3 MiB off an idle agent's anonymous memory; the CPU they cost is
 * in the first minute after start (test/bench/results/agent-memory.md).
 */
setFlagsFromString("--optimize-for-size --bytecode-old-age=1");
process.exitCode = await dispatch(AGENT_IMAGE, process.argv.slice(2));
