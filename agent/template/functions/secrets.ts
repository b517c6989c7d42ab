/**
 * The functions that ask the agent's secrets store for data: `secret`
 * (read, or write when given k=v arguments), `secrets` (list) and `pkiCert`.
 * Each records the dependency as used; when the store has no data yet it is
 * recorded as missing and the placeholder MISSING is returned, so one render
 * pass collects every missing secret (consul-template's discovery by render).
 */
import {
  dependency,
  type DataSource,
  type Dependency,
  type DependencyKind,
  type PkiCertValue,
  type SecretValue,
} from "../types.ts";
import { splitQuery } from "../../secrets/kv-path.ts";
import { FunctionError } from "./types.ts";
import { MISSING, markStruct, stringSlice } from "./values.ts";

/** Collects the dependencies one render used and the ones still missing. */
export class DependencyRecorder {
  readonly used = new Map<string, Dependency>();
  readonly missing = new Map<string, Dependency>();
  /** secret values seen during this render, so errors can be scrubbed of them */
  readonly values: unknown[] = [];

  use(dep: Dependency): void {
    if (!this.used.has(dep.key)) this.used.set(dep.key, dep);
  }
  miss(dep: Dependency): void {
    if (!this.missing.has(dep.key)) this.missing.set(dep.key, dep);
  }
}

function cleanPath(path: string, fn: string): string {
  const p = path.trim().replace(/^\/+|\/+$/g, "");
  if (!p) throw new FunctionError(`${fn}: invalid format: ""`);
  return p;
}

/** `k=v` arguments (blank ones skipped), trimmed; a repeated key keeps its last value. */
export function parseKeyValues(args: readonly string[]): Array<readonly [string, string]> {
  const out = new Map<string, string>();
  args.forEach((arg, i) => {
    if (arg.length === 0) return;
    const eq = arg.indexOf("=");
    if (eq < 0) throw new FunctionError(`not k=v pair (argument ${i + 2})`);
    const k = arg.slice(0, eq).trim();
    out.delete(k);
    out.set(k, arg.slice(eq + 1).trim());
  });
  return [...out.entries()];
}

function lookup(
  source: DataSource,
  recorder: DependencyRecorder,
  kind: DependencyKind,
  path: string,
  params: ReadonlyArray<readonly [string, string]>,
): SecretValue | string[] | PkiCertValue | typeof MISSING {
  const dep = dependency(kind, path, params);
  recorder.use(dep);
  const value = source.get(dep);
  if (value === undefined) {
    recorder.miss(dep);
    return MISSING;
  }
  recorder.values.push(value);
  return value;
}

export function secretFunctions(source: DataSource, recorder: DependencyRecorder) {
  return {
    secret(...args: string[]): unknown {
      if (args.length === 0) return null;
      const [path, ...rest] = args as [string, ...string[]];
      const isRead = rest.length === 0;
      const kind: DependencyKind = isRead ? "secret.read" : "secret.write";
      const { path: p, query } = isRead ? splitQuery(path) : { path, query: [] };
      const v = lookup(
        source,
        recorder,
        kind,
        cleanPath(p, isRead ? "vault.read" : "vault.write"),
        isRead ? query : parseKeyValues(rest),
      );
      return v === MISSING ? MISSING : markStruct(goSecret(v as SecretValue), "secret");
    },
    secrets(path: string): unknown {
      if (path.length === 0) return stringSlice([]);
      const v = lookup(source, recorder, "secret.list", cleanPath(path, "vault.list"), []);
      return v === MISSING ? MISSING : stringSlice(v as string[]);
    },
    pkiCert(...args: string[]): unknown {
      if (args.length === 0) return null;
      const [path, ...rest] = args as [string, ...string[]];
      const v = lookup(
        source,
        recorder,
        "pki.cert",
        cleanPath(path, "vault.pki"),
        parseKeyValues(rest),
      );
      return v === MISSING ? MISSING : markStruct(v as PkiCertValue, "pki");
    },
  };
}

const AUTH_FIELDS: Array<[string, string]> = [
  ["ClientToken", "client_token"],
  ["Accessor", "accessor"],
  ["Policies", "policies"],
  ["Metadata", "metadata"],
  ["LeaseDuration", "lease_duration"],
  ["Renewable", "renewable"],
];
const WRAP_FIELDS: Array<[string, string]> = [
  ["Token", "token"],
  ["TTL", "ttl"],
  ["CreationTime", "creation_time"],
  ["WrappedAccessor", "wrapped_accessor"],
];

/** Vault's snake_case auth/wrap_info blocks under consul-template's Go field names. */
function goFields(v: unknown, fields: Array<[string, string]>): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
  const raw = v as Record<string, unknown>;
  if (!fields.some(([, snake]) => snake in raw)) return v;
  return Object.fromEntries(fields.map(([go, snake]) => [go, raw[snake] ?? null]));
}

function goSecret(v: SecretValue): SecretValue {
  const auth = goFields(v.Auth, AUTH_FIELDS);
  const wrap = goFields(v.WrapInfo, WRAP_FIELDS);
  return auth === v.Auth && wrap === v.WrapInfo ? v : { ...v, Auth: auth, WrapInfo: wrap };
}
