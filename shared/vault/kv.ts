/**
 * KV version detection and KV v2 paths, as consul-template does them, minus
 * its flaw: only a real answer is cached (a mount's info, or a 404 meaning
 * "not KV v2"); a failed detection is never remembered as "v1".
 */
import type { MountInfo } from "./types.ts";

/** Read a sys/internal/ui/mounts answer's data into MountInfo. */
export function mountInfoFrom(data: Record<string, unknown> | null | undefined): MountInfo {
  const mountPath = typeof data?.path === "string" ? data.path : "";
  const type = typeof data?.type === "string" ? data.type : "";
  const options = (data?.options ?? null) as Record<string, unknown> | null;
  const version = type === "kv" && String(options?.version ?? "") === "2" ? 2 : 1;
  return {
    mount: mountPath && !mountPath.endsWith("/") ? `${mountPath}/` : mountPath,
    type,
    kvVersion: version,
  };
}

/** What 404 means: no mount info (old Vault, or a path Vault treats as not KV): read it as v1. */
export const NOT_KV_V2: MountInfo = Object.freeze({ mount: "", type: "", kvVersion: 1 });

function clean(path: string): string {
  return path.replace(/^\/+/, "");
}

/**
 * The path to read a KV v2 secret at: `<mount>data/<rest>`, unless the path
 * already goes through `<mount>data/` (templates may write either form).
 */
export function kvV2DataPath(mount: string, path: string): string {
  const p = clean(path);
  if (!mount || !p.startsWith(mount)) return p;
  const rest = p.slice(mount.length);
  return rest.startsWith("data/") ? p : `${mount}data/${rest}`;
}

/** Cache of mount info by mount path; a path finds the longest mount it lies under. */
export class MountCache {
  private readonly byMount = new Map<string, MountInfo>();
  /** exact paths that got a 404 (no mount named: cannot be cached per mount) */
  private readonly notFoundPaths = new Set<string>();

  get(path: string): MountInfo | undefined {
    const p = clean(path);
    if (this.notFoundPaths.has(p)) return NOT_KV_V2;
    let best: MountInfo | undefined;
    for (const [mount, info] of this.byMount) {
      if (
        (p === mount.slice(0, -1) || p.startsWith(mount)) &&
        (!best || mount.length > best.mount.length)
      ) {
        best = info;
      }
    }
    return best;
  }

  set(path: string, info: MountInfo): void {
    if (info.mount) this.byMount.set(info.mount, info);
    else this.notFoundPaths.add(clean(path));
  }

  clear(): void {
    this.byMount.clear();
    this.notFoundPaths.clear();
  }
}
