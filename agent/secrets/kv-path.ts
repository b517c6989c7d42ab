/**
 * KV version 2 keeps secrets under `<mount>/data/` (reads) and
 * `<mount>/metadata/` (lists). Templates written for Vault Agent say
 * `secret "kv/foo"` and expect the agent to insert the prefix, as
 * consul-template does; a path that already has it is left alone.
 */
export function kvV2Path(path: string, mountPath: string, prefix: "data" | "metadata"): string {
  const mount = mountPath.replace(/\/+$/, "");
  const clean = path.replace(/^\/+/, "");
  if (clean === mount || clean === `${mount}/`) return `${mount}/${prefix}`;
  if (!clean.startsWith(`${mount}/`)) return clean;
  const rest = clean.slice(mount.length + 1);
  if (rest === prefix || rest.startsWith(`${prefix}/`)) return `${mount}/${rest}`;
  return `${mount}/${prefix}/${rest}`;
}

/** split `kv/foo?version=2` into the path and its query parameters */
export function splitQuery(path: string): { path: string; query: Array<[string, string]> } {
  const i = path.indexOf("?");
  if (i < 0) return { path, query: [] };
  const query = [...new URLSearchParams(path.slice(i + 1)).entries()];
  return { path: path.slice(0, i), query };
}
