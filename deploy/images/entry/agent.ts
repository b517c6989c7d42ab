import { dispatch, SUMMARIES } from "../../../shared/cli/dispatch.ts";
import { bundleVersion } from "./version.ts";

/** Entry of the agent image's bundle: `vaultlet agent` and `vaultlet doctor`. */
process.exitCode = await dispatch(
  {
    name: "the agent image",
    version: bundleVersion,
    commands: {
      agent: { summary: SUMMARIES.agent, load: () => import("../../../agent/cli.ts") },
      doctor: { summary: SUMMARIES.doctor, load: () => import("../../../agent/doctor/cli.ts") },
    },
  },
  process.argv.slice(2),
);
