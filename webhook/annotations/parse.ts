import { VaultletError } from "../../shared/errors.ts";
import { parseJson } from "../../shared/json.ts";
import type { InjectorSettings } from "../settings.ts";
import type { Pod } from "../pod.ts";
import { annotationsOf, containersOf } from "../pod.ts";
import { A, fullName, PREFIX, type AnnotationDef } from "./table.ts";
import { collectSecrets } from "./secrets.ts";
import { securitySpec } from "./security.ts";
import type {
  AuthSpec,
  CacheSpec,
  InjectionSpec,
  SecretSpec,
  TokenSpec,
  VaultSpec,
} from "./spec.ts";
import { riskWarnings, unknownAnnotationWarnings } from "./warnings.ts";
import { agentKindOf, vaultAgentProblems, vaultAgentWarnings } from "./agent-kind.ts";

/** A rejected pod: every problem in the message, and the warnings found on the way. */
export class AnnotationError extends VaultletError {
  readonly warnings: string[];

  constructor(message: string, warnings: string[]) {
    super("INVALID_ANNOTATION", message);
    this.warnings = warnings;
  }
}

export interface ParseResult {
  spec: InjectionSpec;
  warnings: string[];
}

/**
 * Reads annotations through the table: absent means the table's default
 * (possibly from the settings); a bad value is recorded with the
 * annotation's full name, the value and the accepted form, so every
 * problem of a pod is reported at once.
 */
export class AnnotationReader {
  readonly errors: string[] = [];
  readonly annotations: Readonly<Record<string, string>>;
  readonly settings: InjectorSettings;
  /**
   * Own entries only, as a Map: the parser looks up some hundred names per
   * pod, most of them absent, and a Map lookup by a fresh string is cheaper
   * than an object property lookup (and cannot reach the prototype).
   */
  readonly #byName: ReadonlyMap<string, string>;

  constructor(annotations: Readonly<Record<string, string>>, settings: InjectorSettings) {
    this.annotations = annotations;
    this.settings = settings;
    this.#byName = new Map(Object.entries(annotations));
  }

  has(d: AnnotationDef, suffix?: string): boolean {
    return this.#byName.has(fullName(d, suffix));
  }

  raw(d: AnnotationDef, suffix?: string): string | undefined {
    return this.#byName.get(fullName(d, suffix));
  }

  /** The parsed value when the annotation is present, else undefined (no default). */
  get<T>(d: AnnotationDef<T>, suffix?: string): T | undefined {
    const raw = this.raw(d, suffix);
    if (raw === undefined) return undefined;
    try {
      return d.parse(raw);
    } catch (err) {
      this.fail(fullName(d, suffix), raw, (err as Error).message, d.form);
      return undefined;
    }
  }

  /** The parsed value, or the table's default when absent (or bad: the error is recorded). */
  value<T>(d: AnnotationDef<T>, suffix?: string): T {
    const v = this.get(d, suffix);
    if (v !== undefined) return v;
    return d.defaultValue?.(this.settings) as T;
  }

  /** A non-empty string value, else undefined. */
  text(d: AnnotationDef<string>): string | undefined {
    const v = this.value(d);
    return v === undefined || v === "" ? undefined : v;
  }

  fail(name: string, raw: string, why: string, form?: string): void {
    const shown = raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
    this.errors.push(
      `${name}: ${JSON.stringify(shown)} ${why}${form && !why.includes("use ") ? ` (expected ${form})` : ""}`,
    );
  }

  problem(message: string): void {
    this.errors.push(message);
  }
}

/**
 * Annotations -> InjectionSpec. Throws VaultletError INVALID_ANNOTATION with
 * every problem found; the warnings gathered so far ride on the error.
 */
export function parseInjectionSpec(pod: Pod, settings: InjectorSettings): ParseResult {
  const annotations = annotationsOf(pod);
  const r = new AnnotationReader(annotations, settings);
  const warnings = unknownAnnotationWarnings(annotations);

  const secretVolumePath = r.value(A.secretVolumePath) ?? "/vault/secrets";
  const { secrets, warnings: secretWarnings } = collectSecrets(r, secretVolumePath);
  warnings.push(...secretWarnings);

  const prePopulate = r.value(A.prePopulate);
  const prePopulateOnly = r.value(A.prePopulateOnly);
  const configMap = r.text(A.configMap);
  const auth = authSpec(r);
  const token = tokenSpec(r, pod);
  const nativeSidecar = r.value(A.nativeSidecar);

  const appContainers = r.get(A.containers) ?? containersOf(pod).map((c) => c.name);
  // With an init container only, nothing signals the app.
  const signalled = prePopulateOnly ? [] : secrets;
  const { security, warnings: securityWarnings } = securitySpec(r, pod, signalled, appContainers);
  warnings.push(...securityWarnings);

  const image = r.text(A.image) ?? settings.agentImage;
  const spec: InjectionSpec = {
    secrets,
    secretVolumePath,
    extraSecretPaths: extraSecretPaths(secrets, secretVolumePath),
    injectToken: r.value(A.injectToken),
    defaultTemplate: r.value(A.defaultTemplate),
    prePopulate,
    prePopulateOnly,
    initFirst: r.value(A.initFirst),
    nativeSidecar,
    appContainers,
    image,
    agentKind: agentKindOf(image),
    resources: resourcesSpec(r),
    securityContext: security,
    shareProcessNamespace: shareProcessNamespace(r, pod, secrets),
    copyVolumeMountsFrom: r.text(A.copyVolumeMounts),
    configMap,
    extraSecret: r.text(A.extraSecret),
    token,
    jsonPatch: r.get(A.jsonPatch),
    initJsonPatch: r.get(A.initJsonPatch),
    revokeOnShutdown: r.value(A.revokeOnShutdown),
    revokeGraceSeconds: r.value(A.revokeGrace),
    cache: cacheSpec(r, prePopulate, prePopulateOnly, nativeSidecar),
    enableQuit: r.value(A.enableQuit),
    goMaxProcs: r.get(A.goMaxProcs),
    logLevel: r.value(A.logLevel),
    logFormat: r.value(A.logFormat),
    telemetry: keyedValues(r, A.telemetry.name, (v) => parseJsonOrString(v)),
    templateConfig: {
      exitOnRetryFailure: r.value(A.exitOnRetryFailure),
      staticSecretRenderIntervalMs: r.value(A.staticSecretRenderInterval),
      maxConnectionsPerHost: r.value(A.maxConnectionsPerHost),
      leaseRenewalThreshold: r.get(A.leaseRenewalThreshold),
    },
    disableIdleConnections: r.value(A.disableIdleConnections) ?? [],
    disableKeepAlives: r.value(A.disableKeepAlives) ?? [],
    secretsVolumeSizeLimit: r.text(A.secretsVolumeSizeLimit),
    secretsReadOnly: r.value(A.secretsReadOnly),
    allowFunctions: r.get(A.allowFunctions) ?? [],
    vault: vaultSpec(r),
    auth,
  };

  validate(r, spec);
  vaultAgentProblems(r, spec);
  if (r.errors.length > 0) {
    throw new AnnotationError(r.errors.join("; "), warnings);
  }
  warnings.push(...riskWarnings(spec, r), ...vaultAgentWarnings(spec));
  return { spec: Object.freeze(spec), warnings };
}

/** mount paths of secrets rendered outside the secrets volume, each once */
function extraSecretPaths(
  secrets: readonly { mountPath: string }[],
  secretVolumePath: string,
): string[] {
  const paths: string[] = [];
  for (const s of secrets) {
    if (s.mountPath !== secretVolumePath && !paths.includes(s.mountPath)) paths.push(s.mountPath);
  }
  return paths;
}

function resourcesSpec(r: AnnotationReader): InjectionSpec["resources"] {
  return {
    limits: resourceList(r.value(A.limitsCpu), r.value(A.limitsMem), r.value(A.limitsEphemeral)),
    requests: resourceList(
      r.value(A.requestsCpu),
      r.value(A.requestsMem),
      r.value(A.requestsEphemeral),
    ),
  };
}

function vaultSpec(r: AnnotationReader): VaultSpec {
  const caCertBytes = r.settings.vaultCaCertBytes;
  return {
    address: r.text(A.service) ?? "",
    proxyAddress: r.text(A.proxyAddress),
    caCert: r.text(A.caCert),
    caPath: r.text(A.caKey),
    caCertBytes: caCertBytes === "" ? undefined : caCertBytes,
    clientCert: r.text(A.clientCert),
    clientKey: r.text(A.clientKey),
    tlsSkipVerify: r.value(A.tlsSkipVerify),
    tlsServerName: r.text(A.tlsServerName),
    tlsSecret: r.text(A.tlsSecret),
    clientMaxRetries: r.get(A.clientMaxRetries),
    clientTimeoutMs: r.get(A.clientTimeout),
  };
}

function cacheSpec(
  r: AnnotationReader,
  prePopulate: boolean,
  prePopulateOnly: boolean,
  native: boolean,
): CacheSpec {
  const enable = r.value(A.cacheEnable);
  return {
    enable,
    useAutoAuthToken: r.value(A.cacheUseAutoAuthToken),
    listenerPort: r.value(A.cacheListenerPort),
    exitOnErr: r.value(A.cacheExitOnErr),
    // The reference persists the cache only when an init container and a
    // sidecar both run; a native sidecar is one agent, so nothing to hand over.
    persist: enable && prePopulate && !prePopulateOnly && !native,
  };
}

function resourceList(cpu: string, memory: string, ephemeral: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (cpu) out.cpu = cpu;
  if (memory) out.memory = memory;
  if (ephemeral) out["ephemeral-storage"] = ephemeral;
  return out;
}

function shareProcessNamespace(
  r: AnnotationReader,
  pod: Pod,
  secrets: readonly SecretSpec[],
): boolean | undefined {
  const want = r.get(A.shareProcessNamespace);
  if (want === true && pod.spec?.shareProcessNamespace === false) {
    r.problem(
      `${fullName(A.shareProcessNamespace)}: the pod sets shareProcessNamespace: false; remove that or this annotation`,
    );
  }
  // The agent can only see (and signal) another container's process in a shared process namespace.
  const signalled = secrets.find((s) => s.signal !== undefined);
  if (signalled === undefined) return want;
  const signal = fullName(A.signal, signalled.rawName);
  if (want === false) {
    r.problem(
      `${signal} needs the pod's shared process namespace, but ${fullName(A.shareProcessNamespace)} is false; remove one of them`,
    );
  } else if (pod.spec?.shareProcessNamespace === false) {
    r.problem(
      `${signal} needs the pod's shared process namespace, but the pod sets shareProcessNamespace: false; remove that or the signal annotations`,
    );
  }
  return true;
}

function authSpec(r: AnnotationReader): AuthSpec {
  const config = keyedValues(r, A.authConfig.name, (v) => v) as Record<string, string>;
  const min = r.value(A.authMinBackoff);
  const max = r.value(A.authMaxBackoff);
  if (min !== undefined && max !== undefined && min > max) {
    r.problem(
      `${fullName(A.authMinBackoff)} is longer than ${fullName(A.authMaxBackoff)}; make the minimum the smaller one`,
    );
  }
  return {
    type: r.text(A.authType) ?? "",
    path: r.text(A.authPath) ?? "",
    namespace: r.text(A.namespace),
    role: r.text(A.role),
    config,
    minBackoffMs: min,
    maxBackoffMs: max,
    exitOnErr: r.value(A.autoAuthExitOnErr),
  };
}

/** `PREFIX<name>-KEY: value` -> { KEY with - as _: value } */
function keyedValues(
  r: AnnotationReader,
  name: string,
  convert: (v: string) => unknown,
): Record<string, unknown> {
  const head = `${PREFIX}${name}-`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.annotations)) {
    if (k.startsWith(head) && k.length > head.length)
      out[k.slice(head.length).replaceAll("-", "_")] = convert(v);
  }
  return out;
}

function parseJsonOrString(v: string): unknown {
  try {
    return parseJson(v);
  } catch {
    return v;
  }
}

/**
 * The token the agent logs in with. vaultlet's default is its own projected
 * token; naming a pod volume (or turning the projection off) keeps the
 * reference behaviour of reusing a token the pod already mounts.
 */
function tokenSpec(r: AnnotationReader, pod: Pod): TokenSpec {
  const volumeName = r.text(A.tokenVolumeName);
  const projected = r.value(A.projectedToken);
  if (projected && volumeName === undefined) {
    return {
      kind: "projected",
      audience: r.value(A.tokenAudience),
      expirationSeconds: r.value(A.tokenExpiration),
    };
  }
  const found = podTokenVolume(pod, volumeName);
  if (typeof found === "string") {
    r.problem(volumeName === undefined ? found : `${fullName(A.tokenVolumeName)}: ${found}`);
    return { kind: "pod", volumeName: "", mountPath: "", tokenPath: "" };
  }
  return found;
}

function podTokenVolume(pod: Pod, volumeName: string | undefined): TokenSpec | string {
  const containers = containersOf(pod);
  const volumes = pod.spec?.volumes ?? [];
  if (volumeName !== undefined) {
    const volume = volumes.find((v) => v.name === volumeName);
    const tokenPath = volume?.projected?.sources?.find((s) => s.serviceAccountToken?.path)
      ?.serviceAccountToken?.path;
    if (!volume)
      return `the pod has no volume named "${volumeName}"; name a projected volume of this pod`;
    if (!tokenPath)
      return `volume "${volumeName}" has no projected serviceAccountToken source; name a projected token volume`;
    for (const c of containers) {
      const m = (c.volumeMounts ?? []).find((vm) => vm.name === volumeName);
      if (m) return { kind: "pod", volumeName, mountPath: m.mountPath, tokenPath };
    }
    return {
      kind: "pod",
      volumeName,
      mountPath: "/var/run/secrets/vault.hashicorp.com/serviceaccount",
      tokenPath,
    };
  }
  for (const c of containers) {
    const m = (c.volumeMounts ?? []).find((vm) => vm.mountPath.includes("serviceaccount"));
    if (m) return { kind: "pod", volumeName: m.name, mountPath: m.mountPath, tokenPath: "token" };
  }
  return (
    "no service account token volume mount found in the pod; let vaultlet project its own token " +
    `(remove ${fullName(A.projectedToken)}: "false") or name one with ${fullName(A.tokenVolumeName)}`
  );
}

/** The reference injector's checks before it builds anything. */
function validate(r: AnnotationReader, spec: InjectionSpec): void {
  if (spec.prePopulateOnly && !spec.prePopulate) {
    r.problem(
      `${fullName(A.prePopulateOnly)} is true but ${fullName(A.prePopulate)} is false, which leaves no agent at all; remove one of them`,
    );
  }
  if (spec.image === "")
    r.problem(`no agent image: set ${fullName(A.image)} or the injector's -vault-image`);
  if (spec.configMap !== undefined) return;
  if (spec.auth.type === "")
    r.problem(`${fullName(A.authType)} is empty; use an auth method type such as "kubernetes"`);
  if (spec.auth.type === "kubernetes" && spec.auth.role === undefined && !spec.auth.config.role) {
    r.problem(
      `no Vault role: set ${fullName(A.role)} to the Vault role bound to this pod's service account ` +
        `(or ${PREFIX}auth-config-role, or use ${fullName(A.configMap)})`,
    );
  }
  if (spec.auth.path === "")
    r.problem(`${fullName(A.authPath)} is empty; use the auth mount, e.g. "auth/kubernetes"`);
  if (spec.vault.address === "") {
    r.problem(
      `no Vault address: set ${fullName(A.service)} or the injector's -vault-address (AGENT_INJECT_VAULT_ADDR)`,
    );
  }
}
