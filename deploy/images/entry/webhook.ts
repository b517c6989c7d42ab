import { dispatch, SUMMARIES } from "../../../shared/cli/dispatch.ts";
import { bundleVersion } from "./version.ts";

/** Entry of the webhook image's bundle: `vaultlet webhook` and `vaultlet inject`. */
process.exitCode = await dispatch(
  {
    name: "the webhook image",
    version: bundleVersion,
    commands: {
      webhook: { summary: SUMMARIES.webhook, load: () => import("../../../webhook/cli.ts") },
      inject: { summary: SUMMARIES.inject, load: () => import("../../../webhook/inject/cli.ts") },
    },
  },
  process.argv.slice(2),
);
