import { bundleVersion, dispatch } from "./dispatch.ts";

/** Entry of the agent image's bundle: `vaultlet agent` and `vaultlet doctor`. */
process.exitCode = await dispatch(
  "the agent image",
  bundleVersion(),
  {
    agent: () => import("../../../agent/cli.ts"),
    doctor: () => import("../../../agent/doctor/cli.ts"),
  },
  process.argv.slice(2),
);
