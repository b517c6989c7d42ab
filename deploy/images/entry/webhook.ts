import { bundleVersion, dispatch } from "./dispatch.ts";

/** Entry of the webhook image's bundle: `vaultlet webhook` and `vaultlet inject`. */
process.exitCode = await dispatch(
  "the webhook image",
  bundleVersion(),
  {
    webhook: () => import("../../../webhook/cli.ts"),
    inject: () => import("../../../webhook/inject/cli.ts"),
  },
  process.argv.slice(2),
);
