import { list, type Finding, type VaultAnswer } from "./findings.ts";

/** What the mount-lookup endpoint says about the mount holding a path. */
export interface MountInfo {
  /** e.g. "kv/" */
  path: string;
  type: string;
  /** KV: "1" or "2" */
  version?: string;
}

/** A read of a path with the logged-in token, and what was learnt around it. */
export interface PathCheck {
  /** the path as the user gave it, without a leading /v1/ */
  path: string;
  read: VaultAnswer;
  /** undefined when the token may not even see the mount */
  mount?: MountInfo;
  /** the token's policies (from the login) */
  policies: string[];
  /** capabilities-self for the path and for its KV counterpart */
  capabilities?: Record<string, string[]>;
}

const KV2_SUBPATHS = /^(data|metadata|delete|undelete|destroy|subkeys|config)(\/|$)/;

/** For a KV path, the same secret written the other way round: with or without data/. */
export function kvCounterpart(path: string, mount: MountInfo): string | undefined {
  if (mount.type !== "kv") return undefined;
  const prefix = mount.path.endsWith("/") ? mount.path : `${mount.path}/`;
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  if (mount.version === "2") {
    return KV2_SUBPATHS.test(rest) ? undefined : `${prefix}data/${rest}`;
  }
  return rest.startsWith("data/") ? `${prefix}${rest.slice("data/".length)}` : undefined;
}

const canRead = (caps?: string[]) => !!caps && (caps.includes("read") || caps.includes("root"));

/** Explains the outcome of reading `check.path`: KV v2 data/ confusion, policies, absence. */
export function pathFindings(check: PathCheck): Finding[] {
  const { path, read, mount } = check;
  const isV2 = mount?.type === "kv" && mount.version === "2";
  const counterpart = mount ? kvCounterpart(path, mount) : undefined;
  if (read.status === 200) {
    return [{ code: "PATH_READABLE", severity: "info", message: `the token can read ${path}` }];
  }
  if (counterpart && isV2) {
    const readable = canRead(check.capabilities?.[counterpart]);
    return [
      {
        code: "KV2_PATH_WITHOUT_DATA",
        severity: "error",
        message: `${mount!.path} is a KV version 2 mount: its secrets are read at ${counterpart}, not ${path}${readable ? ` (and this token may read ${counterpart})` : ""}`,
        fix: `use ${counterpart} in API calls, \`secret "${counterpart}"\` in templates (values under .Data.data), and ${counterpart} in policies${readable ? "" : `; no policy of this token grants read on ${counterpart} yet`}`,
      },
    ];
  }
  if (counterpart && !isV2) {
    return [
      {
        code: "KV1_PATH_WITH_DATA",
        severity: "error",
        message: `${mount!.path} is a KV version 1 mount: there is no data/ segment, the secret is at ${counterpart}`,
        fix: `use ${counterpart} (values directly under .Data), and the same path in policies`,
      },
    ];
  }
  if (read.status === 403) return [deniedFinding(check, isV2)];
  if (read.status === 404) {
    return [
      {
        code: "PATH_NOT_FOUND",
        severity: "error",
        message: `nothing is stored at ${path} (the token was allowed to look)`,
        fix: "check the path's spelling and that the secret was written",
      },
    ];
  }
  return [
    {
      code: "PATH_READ_FAILED",
      severity: "error",
      message: `reading ${path} failed (HTTP ${read.status}): ${read.errors.join("; ") || "(no message)"}`,
    },
  ];
}

function deniedFinding(check: PathCheck, isV2: boolean): Finding {
  const { path, mount } = check;
  if (!mount) {
    return {
      code: "PATH_NO_ACCESS",
      severity: "error",
      message: `the token's policies (${list(check.policies)}) give it no access to ${path} or anything on its mount, or no secrets engine is mounted there`,
      fix: `check the mount exists (bao secrets list) and grant read on ${path} in one of the token's policies`,
    };
  }
  // A policy written for the v1-style path is the classic KV v2 mistake.
  const prefix = mount.path.endsWith("/") ? mount.path : `${mount.path}/`;
  const legacy =
    isV2 && path.startsWith(`${prefix}data/`)
      ? prefix + path.slice(`${prefix}data/`.length)
      : undefined;
  if (legacy && canRead(check.capabilities?.[legacy])) {
    return {
      code: "POLICY_WITHOUT_DATA",
      severity: "error",
      message: `a policy grants read on ${legacy}, but ${mount.path} is KV version 2, where the API path is ${path}`,
      fix: `write the policy path with data/: path "${path}" { capabilities = ["read"] }`,
    };
  }
  return {
    code: "PERMISSION_DENIED",
    severity: "error",
    message: `the token's policies (${list(check.policies)}) do not grant read on ${path}`,
    fix: `add path "${path}" { capabilities = ["read"] } to one of those policies, or log in with a role that has such a policy`,
  };
}
