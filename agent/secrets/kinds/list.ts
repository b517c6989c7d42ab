import { kvV2Path } from "../kv-path.ts";
import type { DependencyKindModule } from "./kind.ts";

/** `secrets "path"`: LIST, through `metadata/` under a KV v2 mount; templates see the keys. */
export const secretList: DependencyKindModule = {
  kind: "secret.list",
  async request(dep, ctx) {
    const mount = await ctx.kvMount(dep.path);
    const target = mount?.version === 2 ? kvV2Path(dep.path, mount.path, "metadata") : dep.path;
    return ctx.calls.list(ctx.token, target);
  },
  value(_dep, res) {
    const keys = (res.data ?? {})["keys"];
    return Array.isArray(keys) ? keys.map(String) : [];
  },
  schedule: "response",
  reusesFileCertificate: false,
};
