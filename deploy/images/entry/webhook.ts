import { WEBHOOK_IMAGE } from "../../cli/webhook-commands.ts";
import { dispatch } from "../../cli/dispatch.ts";

/** Entry of the webhook image's bundle: `vaultlet webhook` and `vaultlet inject`. */
process.exitCode = await dispatch(WEBHOOK_IMAGE, process.argv.slice(2));
