import { AGENT_IMAGE } from "../../cli/agent-commands.ts";
import { dispatch } from "../../cli/dispatch.ts";

/** Entry of the agent image's bundle: `vaultlet agent` and `vaultlet doctor`. */
process.exitCode = await dispatch(AGENT_IMAGE, process.argv.slice(2));
