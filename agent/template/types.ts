/**
 * The contract between template engines and the agent's secrets store.
 *
 * A template never talks to Vault. Rendering asks a DataSource for each
 * dependency; the source answers with stored data or `undefined` ("missing").
 * The render result lists every dependency used and every one missing; the
 * store fetches the missing ones and the runner renders again until nothing is
 * missing. A dependency's `key` is its identity: the store dedupes, shares and
 * schedules on it, so the same secret in many templates is fetched once.
 */

export type DependencyKind =
  /** `secret "path"`: GET /v1/path */
  | "secret.read"
  /** `secret "path" "k=v" ...`: PUT /v1/path with the fields (e.g. pki/issue) */
  | "secret.write"
  /** `secrets "path"`: LIST /v1/path */
  | "secret.list"
  /** `pkiCert "pki/issue/role" "common_name=..."`: issue, reuse while valid */
  | "pki.cert";

export interface Dependency {
  kind: DependencyKind;
  /** the path exactly as the template wrote it, without a leading slash */
  path: string;
  /** `k=v` arguments, in the order written (read with ?query params when kind is read) */
  params: ReadonlyArray<readonly [string, string]>;
  /** stable identity: same kind, path and params => same key */
  key: string;
}

/** Build a dependency with its stable key (params sorted for the key only). */
export function dependency(
  kind: DependencyKind,
  path: string,
  params: ReadonlyArray<readonly [string, string]> = [],
): Dependency {
  const clean = path.replace(/^\/+/, "");
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const suffix = sorted.length ? "?" + sorted.map(([k, v]) => `${k}=${v}`).join("&") : "";
  return { kind, path: clean, params, key: `${kind}(${clean}${suffix})` };
}

/**
 * What `secret` returns to a template: Vault's response envelope with
 * consul-template's field names. `Data` holds the response's `data` as parsed
 * from Vault's JSON (numbers keep their written form, see JsonNumber).
 */
export interface SecretValue {
  RequestID: string;
  LeaseID: string;
  LeaseDuration: number;
  Renewable: boolean;
  Data: Record<string, unknown>;
  Warnings: string[] | null;
  Auth: unknown;
  WrapInfo: unknown;
}

/** What `pkiCert` returns: PEM strings, as consul-template's pkiCert does. */
export interface PkiCertValue {
  Cert: string;
  Key: string;
  CA: string;
  CAChain: string[];
  Data: Record<string, unknown>;
}

/** JSON numbers keep their written form; the class lives in shared/ because the Vault client makes them. */
export { JsonNumber } from "../../shared/json-number.ts";

export interface DataSource {
  /** stored data for the dependency, or undefined when it has not been fetched yet */
  get(dep: Dependency): SecretValue | string[] | PkiCertValue | undefined;
}

export interface RenderEnvironment {
  /** process environment visible to `env` */
  env: Readonly<Record<string, string | undefined>>;
  /** reads a file for the `file` function (the runner decides what is allowed) */
  readFile(path: string): string;
  /** current time for `timestamp` (injectable so rendering stays deterministic in tests) */
  now(): Date;
}

export interface CompileOptions {
  /** template name used in error messages (destination or annotation name) */
  name: string;
  leftDelimiter?: string;
  rightDelimiter?: string;
  errorOnMissingKey?: boolean;
  /** the template file, when the config names one (error messages say it beside the name) */
  source?: string;
  /** functions that reach outside the template the config allows (writeToFile, plugin) */
  allowFunctions?: readonly string[];
}

export interface RenderResult {
  /** complete output; meaningful only when `missing` is empty */
  output: string;
  used: Dependency[];
  missing: Dependency[];
}

export interface CompiledTemplate {
  render(source: DataSource, env: RenderEnvironment): RenderResult;
}

export interface TemplateEngine {
  readonly name: "go" | "handlebars";
  /** throws TemplateError (with name, line, column) on a syntax error */
  compile(text: string, options: CompileOptions): CompiledTemplate;
}
