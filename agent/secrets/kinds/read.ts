import { kvV2Path, splitQuery } from "../kv-path.ts";
import { secretEnvelope, type DependencyKindModule } from "./kind.ts";

/** `secret "path"`: GET, through `data/` under a KV v2 mount; `?query` and params are the query. */
export const secretRead: DependencyKindModule = {
  kind: "secret.read",
  async request(dep, ctx) {
    const { path, query } = splitQuery(dep.path);
    const params = [...query, ...dep.params.map(([k, v]) => [k, v] as [string, string])];
    const mount = await ctx.kvMount(path);
    const target = mount?.version === 2 ? kvV2Path(path, mount.path, "data") : path;
    return ctx.calls.read(ctx.token, target, params);
  },
  value: (_dep, res) => secretEnvelope(res),
  schedule: "response",
  reusesFileCertificate: false,
};
