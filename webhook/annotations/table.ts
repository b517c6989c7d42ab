import type { Operation } from "fast-json-patch";
import type { InjectorSettings } from "../settings.ts";
import {
  parseDurationMs,
  parseEnum,
  parseFraction,
  parseGoBool,
  parseInteger,
  parseList,
  parseLogLevel,
  parseOctalPerms,
  parseQuantityOrEmpty,
  parseText,
  parseUid,
  parseFeatureList,
} from "./values.ts";
import { parseJsonPatch } from "./json-patch.ts";
import { parseSignal } from "../../shared/signal.ts";

/**
 * Every `vault.hashicorp.com/*` annotation vaultlet understands, declared
 * once: name, kind, value parser, default and documentation. The parser,
 * the unknown-name warnings and deploy/docs/annotations.md all read this
 * table, so an annotation cannot be understood but undocumented.
 */
export const PREFIX = "vault.hashicorp.com/";

/**
 * global: the name alone. per-secret: `NAME-<secret>` (the secret's suffix).
 * keyed: `NAME-<key>` where the suffix is a free key (auth-config-*, agent-telemetry-*).
 */
export type AnnotationKind = "global" | "per-secret" | "keyed";

export type Section = "injection" | "secrets" | "agent" | "vault" | "vaultlet";

export interface AnnotationDef<T = unknown> {
  /** name without the `vault.hashicorp.com/` prefix (and without the `-NAME` suffix) */
  readonly name: string;
  readonly kind: AnnotationKind;
  readonly section: Section;
  /** the accepted form, for docs and error messages */
  readonly form: string;
  readonly parse: (raw: string) => T;
  /** the value when the annotation is absent; may come from the injector settings */
  readonly defaultValue?: (settings: InjectorSettings) => T | undefined;
  /** how the default reads in the docs */
  readonly defaultDoc: string;
  readonly doc: string;
  /** true for annotations vaultlet adds beyond the reference injector */
  readonly extension?: boolean;
}

function def<T>(d: AnnotationDef<T>): AnnotationDef<T> {
  return Object.freeze(d);
}

const BOOL_FORM = "boolean (true/false, 1/0, t/f)";
const str = parseText;
const bool = parseGoBool;
const quantityOrEmpty = parseQuantityOrEmpty;
const uid = parseUid;
const port = (raw: string): number => parseInteger(raw, 1, 65_535);
const featureList = parseFeatureList;

/** Absolute mount path inside the containers. */
export function parseMountPath(raw: string): string {
  if (raw.includes("\0")) throw new Error("contains a NUL byte; use a plain absolute path");
  if (!raw.startsWith("/"))
    throw new Error('is not an absolute path; use a path like "/vault/secrets"');
  const segments = raw.split("/");
  if (segments.includes(".."))
    throw new Error('contains ".."; use a path without parent-directory steps');
  const clean = "/" + segments.filter((s) => s !== "" && s !== ".").join("/");
  if (clean === "/")
    throw new Error('would mount over the root directory; use a path like "/vault/secrets"');
  return clean;
}

/** A file path relative to the secrets mount; it must stay inside it. */
export function parseSecretFile(raw: string): string {
  if (raw.includes("\0")) throw new Error("contains a NUL byte; use a plain file name");
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  const out: string[] = [];
  for (const s of segments) {
    if (s === "..") {
      if (out.length === 0)
        throw new Error(
          'leaves the secrets volume; use a file name or a relative path without ".."',
        );
      out.pop();
    } else out.push(s);
  }
  if (out.length === 0) throw new Error('names no file; use a file name like "config.json"');
  return out.join("/");
}

/** A signal name the agent's signal action accepts (its own parser), with the message the reader expects. */
function parseSignalName(raw: string): NodeJS.Signals {
  try {
    return parseSignal(raw);
  } catch {
    throw new Error('is not a signal name; use one like "SIGHUP", "SIGUSR1" or "HUP"');
  }
}

/** A process name as ps and the agent's /proc lookup see it: one word, no path. */
function parseProcessName(raw: string): string {
  const name = raw.trim();
  if (name === "") throw new Error('is empty; use the process name as ps shows it, e.g. "nginx"');
  if (name.includes("\0")) throw new Error('contains a NUL byte; use a name like "nginx"');
  if (name.includes("/"))
    throw new Error('is a path, not a process name; use the file name alone, e.g. "nginx"');
  return name;
}

function parsePidFilePath(raw: string): string {
  if (raw.includes("\0")) throw new Error("contains a NUL byte; use a plain absolute path");
  if (!raw.startsWith("/"))
    throw new Error('is not an absolute path; use a path like "/run/app/app.pid"');
  return raw;
}

export const A = {
  // ---- turning injection on and off
  inject: def<boolean>({
    name: "agent-inject",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "absent = no injection",
    doc: "Inject the agent into this pod.",
  }),
  status: def<string>({
    name: "agent-inject-status",
    kind: "global",
    section: "injection",
    form: "string",
    parse: str,
    defaultDoc: "—",
    doc: "Written as `injected` after mutation; a pod that already says `injected` is left alone. Any other value (e.g. `update`) allows injecting again.",
  }),
  requestNamespace: def<string>({
    name: "agent-request-namespace",
    kind: "global",
    section: "injection",
    form: "string",
    parse: str,
    defaultDoc: "—",
    doc: "Written by the reference injector; accepted and ignored (the admission request's namespace is used).",
  }),
  prePopulate: def<boolean>({
    name: "agent-pre-populate",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => true,
    defaultDoc: "true",
    doc: "Add an init container that renders the secrets once before the application starts.",
  }),
  prePopulateOnly: def<boolean>({
    name: "agent-pre-populate-only",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Only the init container; no long-running agent.",
  }),
  initFirst: def<boolean>({
    name: "agent-init-first",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Put the agent's init container before the pod's other init containers instead of after them.",
  }),
  containers: def<string[]>({
    name: "agent-inject-containers",
    kind: "global",
    section: "injection",
    form: "comma-separated container names",
    parse: parseList,
    defaultDoc: "all application containers",
    doc: "Application containers that get the secrets mount.",
  }),
  // ---- secrets
  secret: def<string>({
    name: "agent-inject-secret",
    kind: "per-secret",
    section: "secrets",
    form: "Vault path",
    parse: str,
    defaultDoc: "—",
    doc: "Defines secret NAME: the Vault path rendered with the default template unless a template is given.",
  }),
  templateFile: def<string>({
    name: "agent-inject-template-file",
    kind: "per-secret",
    section: "secrets",
    form: "file path inside the agent container",
    parse: str,
    defaultDoc: "—",
    doc: "Template file for secret NAME (used when there is no inline template). Defines the secret on its own.",
  }),
  template: def<string>({
    name: "agent-inject-template",
    kind: "per-secret",
    section: "secrets",
    form: "template text",
    parse: str,
    defaultDoc: "the default template",
    doc: "Inline template for secret NAME. A template alone is enough to define a secret.",
  }),
  file: def<string>({
    name: "agent-inject-file",
    kind: "per-secret",
    section: "secrets",
    form: "file name or relative path",
    parse: parseSecretFile,
    defaultDoc: "NAME",
    doc: "File written under the secrets mount for secret NAME. A path that would leave the volume is rejected.",
  }),
  perms: def<number>({
    name: "agent-inject-perms",
    kind: "per-secret",
    section: "secrets",
    form: 'octal file mode, e.g. "0400"',
    parse: parseOctalPerms,
    defaultDoc: "the agent's default (0640)",
    doc: "File mode of secret NAME's file.",
  }),
  command: def<string>({
    name: "agent-inject-command",
    kind: "per-secret",
    section: "secrets",
    form: "command line",
    parse: str,
    defaultDoc: "—",
    doc:
      "Command the agent runs after secret NAME's file changes, through `/bin/sh -c` as in Vault Agent, so it needs an agent image with a shell " +
      "(vaultlet's own has none). To make the app reload, use agent-inject-signal-NAME instead.",
  }),
  errorOnMissingKey: def<boolean>({
    name: "error-on-missing-key",
    kind: "per-secret",
    section: "secrets",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Fail rendering secret NAME instead of printing `<no value>` for a missing key.",
  }),
  leftDelim: def<string>({
    name: "agent-template-left-delim",
    kind: "per-secret",
    section: "secrets",
    form: "string",
    parse: str,
    defaultDoc: "`{{`",
    doc: "Left template delimiter for secret NAME.",
  }),
  rightDelim: def<string>({
    name: "agent-template-right-delim",
    kind: "per-secret",
    section: "secrets",
    form: "string",
    parse: str,
    defaultDoc: "`}}`",
    doc: "Right template delimiter for secret NAME.",
  }),
  secretVolumePathFor: def<string>({
    name: "secret-volume-path",
    kind: "per-secret",
    section: "secrets",
    form: 'absolute path, e.g. "/etc/app/secrets"',
    parse: parseMountPath,
    defaultDoc: "secret-volume-path",
    doc: "Mount path for secret NAME; each distinct path gets its own in-memory volume.",
  }),
  preserveCaseFor: def<boolean>({
    name: "preserve-secret-case",
    kind: "per-secret",
    section: "secrets",
    form: BOOL_FORM,
    parse: bool,
    defaultDoc: "preserve-secret-case",
    doc: "Keep secret NAME's case in the file name (otherwise lowercased).",
  }),
  engine: def<"go" | "handlebars">({
    name: "agent-template-engine",
    kind: "per-secret",
    section: "vaultlet",
    form: '"go" or "handlebars"',
    parse: (raw) => parseEnum(raw, ["go", "handlebars"] as const),
    defaultDoc: "go",
    doc: "Template language of secret NAME: `go` (consul-template syntax) or `handlebars`.",
    extension: true,
  }),
  signal: def<NodeJS.Signals>({
    name: "agent-inject-signal",
    kind: "per-secret",
    section: "vaultlet",
    form: 'signal name, e.g. "SIGHUP" or "HUP"',
    parse: parseSignalName,
    defaultDoc: "—",
    doc:
      "Signal sent to an application process after secret NAME's file changes, with no shell in the agent image " +
      "(the config's `signal {}` block). Needs exactly one of the two annotations below, and sets the pod's " +
      "`shareProcessNamespace: true` so the agent can see the process. With agent-inject-command as well, the command runs first. " +
      "A process can signal only processes of its own uid (the agent has no CAP_KILL), so the agent containers run as the signalled container's " +
      "uid and gid: that container's `securityContext.runAsUser`/`runAsGroup`, else the pod's (gid 0 is not copied); the signalled container is the first one named in " +
      "agent-inject-containers, by default the pod's first container. agent-run-as-user, agent-run-as-same-user and agent-run-as-group, when set, win " +
      "(with a warning if the uid differs). When neither sets runAsUser (the image's user), the agent keeps its default uid and a warning says what to set; " +
      'a root (uid 0) target is refused unless agent-run-as-user is "0".',
    extension: true,
  }),
  signalProcess: def<string>({
    name: "agent-inject-signal-process",
    kind: "per-secret",
    section: "vaultlet",
    form: "process name as `ps` shows it",
    parse: parseProcessName,
    defaultDoc: "—",
    doc:
      "Every process with this name (kernel name or argv[0]'s file name) gets secret NAME's signal. " +
      "Matched before agent-inject-signal, so `agent-inject-signal-process-x` belongs to secret `x`.",
    extension: true,
  }),
  signalPidFile: def<string>({
    name: "agent-inject-signal-pid-file",
    kind: "per-secret",
    section: "vaultlet",
    form: "absolute path inside the agent container",
    parse: parsePidFilePath,
    defaultDoc: "—",
    doc:
      "The process whose id this file holds gets secret NAME's signal. A file in the secrets volume is seen by the agent as is; for another volume use agent-copy-volume-mounts. " +
      "Matched before agent-inject-signal, so `agent-inject-signal-pid-file-x` belongs to secret `x`.",
    extension: true,
  }),
  secretVolumePath: def<string>({
    name: "secret-volume-path",
    kind: "global",
    section: "secrets",
    form: 'absolute path, e.g. "/vault/secrets"',
    parse: parseMountPath,
    defaultValue: () => "/vault/secrets",
    defaultDoc: "/vault/secrets",
    doc: "Mount path of the secrets volume in the application and agent containers.",
  }),
  preserveCase: def<boolean>({
    name: "preserve-secret-case",
    kind: "global",
    section: "secrets",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Keep every secret NAME's case (otherwise lowercased).",
  }),
  defaultTemplate: def<"map" | "json">({
    name: "agent-inject-default-template",
    kind: "global",
    section: "secrets",
    form: '"map" or "json"',
    parse: (raw) => parseEnum(raw, ["map", "json"] as const),
    defaultValue: (s) => s.defaultTemplate,
    defaultDoc: "map (flag -default-template)",
    doc: "Default template: `map` prints `key: value` lines of `.Data`, `json` prints `.Data` as JSON.",
  }),
  injectToken: def<boolean>({
    name: "agent-inject-token",
    kind: "global",
    section: "secrets",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Also write the agent's Vault token to `<secret-volume-path>/token`.",
  }),
  // ---- agent containers
  image: def<string>({
    name: "agent-image",
    kind: "global",
    section: "agent",
    form: "image reference",
    parse: str,
    defaultValue: (s) => s.agentImage,
    defaultDoc: "flag -vault-image",
    doc: "Image of the agent containers.",
  }),
  limitsCpu: def<string>({
    name: "agent-limits-cpu",
    kind: "global",
    section: "agent",
    form: 'Kubernetes quantity ("" removes)',
    parse: quantityOrEmpty,
    defaultValue: (s) => s.cpuLimit,
    defaultDoc: "500m",
    doc: "CPU limit of the agent containers.",
  }),
  limitsMem: def<string>({
    name: "agent-limits-mem",
    kind: "global",
    section: "agent",
    form: 'Kubernetes quantity ("" removes)',
    parse: quantityOrEmpty,
    defaultValue: (s) => s.memLimit,
    defaultDoc: "128Mi",
    doc: "Memory limit of the agent containers.",
  }),
  limitsEphemeral: def<string>({
    name: "agent-limits-ephemeral",
    kind: "global",
    section: "agent",
    form: 'Kubernetes quantity ("" removes)',
    parse: quantityOrEmpty,
    defaultValue: (s) => s.ephemeralLimit,
    defaultDoc: "unset",
    doc: "Ephemeral-storage limit of the agent containers.",
  }),
  requestsCpu: def<string>({
    name: "agent-requests-cpu",
    kind: "global",
    section: "agent",
    form: 'Kubernetes quantity ("" removes)',
    parse: quantityOrEmpty,
    defaultValue: (s) => s.cpuRequest,
    defaultDoc: "250m",
    doc: "CPU request of the agent containers.",
  }),
  requestsMem: def<string>({
    name: "agent-requests-mem",
    kind: "global",
    section: "agent",
    form: 'Kubernetes quantity ("" removes)',
    parse: quantityOrEmpty,
    defaultValue: (s) => s.memRequest,
    defaultDoc: "64Mi",
    doc: "Memory request of the agent containers.",
  }),
  requestsEphemeral: def<string>({
    name: "agent-requests-ephemeral",
    kind: "global",
    section: "agent",
    form: 'Kubernetes quantity ("" removes)',
    parse: quantityOrEmpty,
    defaultValue: (s) => s.ephemeralRequest,
    defaultDoc: "unset",
    doc: "Ephemeral-storage request of the agent containers.",
  }),
  runAsUser: def<number>({
    name: "agent-run-as-user",
    kind: "global",
    section: "agent",
    form: "uid (whole number)",
    parse: uid,
    defaultValue: (s) => s.runAsUser,
    defaultDoc: "100",
    doc: "User id of the agent containers. When unset and a template signals the app, the signalled container's uid.",
  }),
  runAsGroup: def<number>({
    name: "agent-run-as-group",
    kind: "global",
    section: "agent",
    form: "gid (whole number)",
    parse: uid,
    defaultValue: (s) => s.runAsGroup,
    defaultDoc: "1000",
    doc: "Group id of the agent containers.",
  }),
  runAsSameUser: def<boolean>({
    name: "agent-run-as-same-user",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: (s) => s.runAsSameUser,
    defaultDoc: "false",
    doc: "Run the agent as the first application container's runAsUser (rejected if that is unset or 0).",
  }),
  setSecurityContext: def<boolean>({
    name: "agent-set-security-context",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: (s) => s.setSecurityContext,
    defaultDoc: "true",
    doc: "Set runAsUser/runAsGroup, runAsNonRoot, readOnlyRootFilesystem, drop ALL capabilities and no privilege escalation on the agent containers.",
  }),
  shareProcessNamespace: def<boolean>({
    name: "agent-share-process-namespace",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultDoc: "unset",
    doc: "Set the pod's shareProcessNamespace (rejected when the pod sets it to false and this asks for true).",
  }),
  copyVolumeMounts: def<string>({
    name: "agent-copy-volume-mounts",
    kind: "global",
    section: "agent",
    form: "container name",
    parse: str,
    defaultDoc: "—",
    doc: "Copy this container's volume mounts (except service-account token mounts) into the agent containers.",
  }),
  configMap: def<string>({
    name: "agent-configmap",
    kind: "global",
    section: "agent",
    form: "ConfigMap name",
    parse: str,
    defaultDoc: "—",
    doc: "ConfigMap with `config.hcl` and `config-init.hcl`, mounted at /vault/configs; no config is generated.",
  }),
  extraSecret: def<string>({
    name: "agent-extra-secret",
    kind: "global",
    section: "agent",
    form: "Secret name",
    parse: str,
    defaultDoc: "—",
    doc: "Secret mounted read-only at /vault/custom in the agent containers.",
  }),
  tokenVolumeName: def<string>({
    name: "agent-service-account-token-volume-name",
    kind: "global",
    section: "agent",
    form: "volume name",
    parse: str,
    defaultDoc: "the projected vaultlet token",
    doc: "Log in with the token in this projected volume of the pod (reference behaviour; disables vaultlet's own projected token).",
  }),
  jsonPatch: def<Operation[]>({
    name: "agent-json-patch",
    kind: "global",
    section: "agent",
    form: "RFC 6902 JSON patch (array of operations)",
    parse: parseJsonPatch,
    defaultDoc: "—",
    doc: "Patch applied to the generated agent container (paths are relative to the container).",
  }),
  initJsonPatch: def<Operation[]>({
    name: "agent-init-json-patch",
    kind: "global",
    section: "agent",
    form: "RFC 6902 JSON patch (array of operations)",
    parse: parseJsonPatch,
    defaultDoc: "—",
    doc: "Patch applied to the generated init container (paths are relative to the container).",
  }),
  revokeOnShutdown: def<boolean>({
    name: "agent-revoke-on-shutdown",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: (s) => s.revokeOnShutdown,
    defaultDoc: "false",
    doc: "Revoke the agent's token when the pod stops (after agent-revoke-grace seconds).",
  }),
  revokeGrace: def<number>({
    name: "agent-revoke-grace",
    kind: "global",
    section: "agent",
    form: "seconds (whole number)",
    parse: (raw) => parseInteger(raw, 0),
    defaultValue: () => 5,
    defaultDoc: "5",
    doc: "Seconds to wait after the pod starts stopping before revoking the token.",
  }),
  cacheEnable: def<boolean>({
    name: "agent-cache-enable",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Run the agent's local caching proxy.",
  }),
  cacheUseAutoAuthToken: def<"true" | "false" | "force">({
    name: "agent-cache-use-auto-auth-token",
    kind: "global",
    section: "agent",
    form: '"true", "false" or "force"',
    parse: (raw) => parseEnum(raw, ["true", "false", "force"] as const),
    defaultValue: () => "true",
    defaultDoc: "true",
    doc: "Whether the caching proxy uses the agent's token for requests without one.",
  }),
  cacheListenerPort: def<number>({
    name: "agent-cache-listener-port",
    kind: "global",
    section: "agent",
    form: "port (1-65535)",
    parse: port,
    defaultValue: () => 8200,
    defaultDoc: "8200",
    doc: "Port of the caching proxy on 127.0.0.1.",
  }),
  cacheExitOnErr: def<boolean>({
    name: "agent-cache-exit-on-err",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Exit when the persisted cache cannot be restored.",
  }),
  enableQuit: def<boolean>({
    name: "agent-enable-quit",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Serve `/agent/v1/quit` on the local listener so a Job can stop the agent.",
  }),
  autoAuthExitOnErr: def<boolean>({
    name: "agent-auto-auth-exit-on-err",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Exit instead of retrying when login fails.",
  }),
  authMinBackoff: def<number>({
    name: "auth-min-backoff",
    kind: "global",
    section: "agent",
    form: 'duration, e.g. "1s"',
    parse: parseDurationMs,
    defaultValue: (s) => s.authMinBackoff,
    defaultDoc: "flag -auth-min-backoff, else 1s in the agent",
    doc: "Minimum wait between login retries.",
  }),
  authMaxBackoff: def<number>({
    name: "auth-max-backoff",
    kind: "global",
    section: "agent",
    form: 'duration, e.g. "5m"',
    parse: parseDurationMs,
    defaultValue: (s) => s.authMaxBackoff,
    defaultDoc: "flag -auth-max-backoff, else 5m in the agent",
    doc: "Maximum wait between login retries.",
  }),
  disableIdleConnections: def<string[]>({
    name: "agent-disable-idle-connections",
    kind: "global",
    section: "agent",
    form: "comma list of auto-auth, caching, templating, proxying",
    parse: featureList,
    defaultValue: (s) => s.disableIdleConnections,
    defaultDoc: "—",
    doc: "Agent features that do not keep idle connections.",
  }),
  disableKeepAlives: def<string[]>({
    name: "agent-disable-keep-alives",
    kind: "global",
    section: "agent",
    form: "comma list of auto-auth, caching, templating, proxying",
    parse: featureList,
    defaultValue: (s) => s.disableKeepAlives,
    defaultDoc: "—",
    doc: "Agent features that do not use keep-alives.",
  }),
  telemetry: def<string>({
    name: "agent-telemetry",
    kind: "keyed",
    section: "agent",
    form: "JSON value or string",
    parse: str,
    defaultDoc: "—",
    doc: "Telemetry setting KEY (`-` becomes `_`), e.g. `agent-telemetry-prometheus_retention_time: 30s`.",
  }),
  exitOnRetryFailure: def<boolean>({
    name: "template-config-exit-on-retry-failure",
    kind: "global",
    section: "agent",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: (s) => s.templateConfigExitOnRetryFailure,
    defaultDoc: "true",
    doc: "Exit when template retries run out.",
  }),
  staticSecretRenderInterval: def<number>({
    name: "template-static-secret-render-interval",
    kind: "global",
    section: "agent",
    form: 'duration, e.g. "5m"',
    parse: parseDurationMs,
    defaultValue: (s) => s.templateStaticSecretRenderInterval,
    defaultDoc: "5m in the agent",
    doc: "How often secrets without a lease (KV) are read again.",
  }),
  maxConnectionsPerHost: def<number>({
    name: "template-max-connections-per-host",
    kind: "global",
    section: "agent",
    form: "whole number",
    parse: (raw) => parseInteger(raw, 0),
    defaultValue: (s) => s.templateMaxConnectionsPerHost,
    defaultDoc: "unset",
    doc: "Cap on the templating engine's connections to one Vault host.",
  }),
  leaseRenewalThreshold: def<number>({
    name: "template-lease-renewal-threshold",
    kind: "global",
    section: "agent",
    form: 'fraction, e.g. "0.9"',
    parse: parseFraction,
    defaultDoc: "0.9 in the agent",
    doc: "Fraction of a non-renewable lease after which the secret is fetched again.",
  }),
  goMaxProcs: def<number>({
    name: "go-max-procs",
    kind: "global",
    section: "agent",
    form: "whole number",
    parse: (raw) => parseInteger(raw, 1),
    defaultDoc: "—",
    doc: "Passed to the agent as GOMAXPROCS (kept for compatibility; vaultlet's agent is single-threaded).",
  }),
  // ---- talking to Vault
  service: def<string>({
    name: "service",
    kind: "global",
    section: "vault",
    form: "URL",
    parse: str,
    defaultValue: (s) => s.vaultAddress,
    defaultDoc: "flag -vault-address",
    doc: "Vault address.",
  }),
  proxyAddress: def<string>({
    name: "proxy-address",
    kind: "global",
    section: "vault",
    form: "URL",
    parse: str,
    defaultValue: (s) => s.proxyAddress,
    defaultDoc: "flag -proxy-address",
    doc: "HTTPS proxy the agent uses (HTTPS_PROXY).",
  }),
  tlsSkipVerify: def<boolean>({
    name: "tls-skip-verify",
    kind: "global",
    section: "vault",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Do not verify Vault's certificate (warned about at admission).",
  }),
  tlsServerName: def<string>({
    name: "tls-server-name",
    kind: "global",
    section: "vault",
    form: "host name",
    parse: str,
    defaultDoc: "—",
    doc: "Server name to verify Vault's certificate against.",
  }),
  tlsSecret: def<string>({
    name: "tls-secret",
    kind: "global",
    section: "vault",
    form: "Secret name",
    parse: str,
    defaultDoc: "—",
    doc: "Secret mounted read-only at /vault/tls in the agent containers.",
  }),
  caCert: def<string>({
    name: "ca-cert",
    kind: "global",
    section: "vault",
    form: "file path inside the agent",
    parse: str,
    defaultDoc: "—",
    doc: "CA certificate file for Vault's TLS.",
  }),
  caKey: def<string>({
    name: "ca-key",
    kind: "global",
    section: "vault",
    form: "directory path inside the agent",
    parse: str,
    defaultDoc: "—",
    doc: "Written to the agent config as `ca_path` (a directory of CA certificates).",
  }),
  clientCert: def<string>({
    name: "client-cert",
    kind: "global",
    section: "vault",
    form: "file path inside the agent",
    parse: str,
    defaultDoc: "—",
    doc: "Client certificate for Vault's TLS.",
  }),
  clientKey: def<string>({
    name: "client-key",
    kind: "global",
    section: "vault",
    form: "file path inside the agent",
    parse: str,
    defaultDoc: "—",
    doc: "Client key for Vault's TLS.",
  }),
  clientMaxRetries: def<number>({
    name: "client-max-retries",
    kind: "global",
    section: "vault",
    form: "whole number",
    parse: (raw) => parseInteger(raw, 0),
    defaultDoc: "2 in the agent",
    doc: "Retries of a Vault request answered with 5xx (VAULT_MAX_RETRIES).",
  }),
  clientTimeout: def<number>({
    name: "client-timeout",
    kind: "global",
    section: "vault",
    form: 'duration, e.g. "60s"',
    parse: parseDurationMs,
    defaultDoc: "60s in the agent",
    doc: "Timeout of one Vault request (VAULT_CLIENT_TIMEOUT).",
  }),
  logLevel: def<"trace" | "debug" | "info" | "warn" | "error">({
    name: "log-level",
    kind: "global",
    section: "vault",
    form: "trace, debug, info, warn or error",
    parse: parseLogLevel,
    defaultValue: () => "info",
    defaultDoc: "info",
    doc: "Agent log level.",
  }),
  logFormat: def<"standard" | "json">({
    name: "log-format",
    kind: "global",
    section: "vault",
    form: '"standard" or "json"',
    parse: (raw) => parseEnum(raw, ["standard", "json"] as const),
    defaultValue: () => "standard",
    defaultDoc: "standard",
    doc: "Agent log format.",
  }),
  role: def<string>({
    name: "role",
    kind: "global",
    section: "vault",
    form: "Vault role name",
    parse: str,
    defaultDoc: "—",
    doc: "Auth role; required for kubernetes auth unless auth-config-role or agent-configmap is given.",
  }),
  authType: def<string>({
    name: "auth-type",
    kind: "global",
    section: "vault",
    form: "auth method type",
    parse: str,
    defaultValue: (s) => s.authType,
    defaultDoc: "kubernetes",
    doc: "Auth method the agent logs in with (kubernetes, jwt, ...).",
  }),
  authPath: def<string>({
    name: "auth-path",
    kind: "global",
    section: "vault",
    form: 'mount path, e.g. "auth/kubernetes"',
    parse: str,
    defaultValue: (s) => s.authPath,
    defaultDoc: "auth/kubernetes",
    doc: "Mount path of the auth method.",
  }),
  authConfig: def<string>({
    name: "auth-config",
    kind: "keyed",
    section: "vault",
    form: "string",
    parse: str,
    defaultDoc: "—",
    doc: "Extra auth method setting KEY (`-` becomes `_`).",
  }),
  namespace: def<string>({
    name: "namespace",
    kind: "global",
    section: "vault",
    form: "Vault namespace",
    parse: str,
    defaultValue: (s) => s.vaultNamespace,
    defaultDoc: "flag -vault-namespace",
    doc: "Vault Enterprise namespace of the auth method.",
  }),
  // ---- vaultlet extensions
  nativeSidecar: def<boolean>({
    name: "agent-native-sidecar",
    kind: "global",
    section: "vaultlet",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: (s) => s.nativeSidecar,
    defaultDoc: "flag -native-sidecar (false)",
    doc: "Run one agent as a native sidecar (init container with restartPolicy Always, Kubernetes 1.29+) whose startup probe passes after the first render: the app starts with its secrets, Jobs complete, one set of credentials.",
    extension: true,
  }),
  projectedToken: def<boolean>({
    name: "agent-service-account-token-projected",
    kind: "global",
    section: "vaultlet",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: (s) => s.projectedToken,
    defaultDoc: "flag -projected-token (true)",
    doc: "Give the agent containers (only them) a projected service-account token for the audience below. `false` logs in with the pod's default token like the reference injector.",
    extension: true,
  }),
  tokenAudience: def<string>({
    name: "agent-service-account-token-audience",
    kind: "global",
    section: "vaultlet",
    form: "audience string",
    parse: (raw) => {
      if (raw.trim() === "")
        throw new Error('is empty; use the audience your Vault role expects, e.g. "vault"');
      return raw;
    },
    defaultValue: (s) => s.tokenAudience,
    defaultDoc: "vault",
    doc: "Audience of the projected token (must match the Vault role's `audience`).",
    extension: true,
  }),
  tokenExpiration: def<number>({
    name: "agent-service-account-token-expiration",
    kind: "global",
    section: "vaultlet",
    form: "seconds or duration, at least 600",
    parse: (raw) => {
      const ms = parseDurationMs(raw);
      if (ms % 1000 !== 0 || ms < 600_000)
        throw new Error(
          'is not whole seconds of at least 600 (Kubernetes\' minimum); use e.g. "600" or "1h"',
        );
      return ms / 1000;
    },
    defaultValue: (s) => s.tokenExpirationSeconds,
    defaultDoc: "600",
    doc: "Lifetime of the projected token in seconds; the kubelet refreshes it at 80%.",
    extension: true,
  }),
  secretsVolumeSizeLimit: def<string>({
    name: "agent-secrets-volume-size-limit",
    kind: "global",
    section: "vaultlet",
    form: 'Kubernetes quantity, e.g. "1Mi"',
    parse: quantityOrEmpty,
    defaultValue: (s) => s.secretsVolumeSizeLimit,
    defaultDoc: "none",
    doc: "sizeLimit of each in-memory secrets volume (tmpfs counts against the pod's memory).",
    extension: true,
  }),
  secretsReadOnly: def<boolean>({
    name: "agent-secrets-read-only",
    kind: "global",
    section: "vaultlet",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: (s) => s.secretsReadOnly,
    defaultDoc: "false",
    doc: "Mount the secrets volumes read-only into application and other init containers (the agent keeps write access).",
    extension: true,
  }),
} as const;

export const ANNOTATIONS: readonly AnnotationDef[] = Object.values(A) as AnnotationDef[];

/** Secret-defining prefixes in the reference's matching order. */
export const SECRET_DEFINING: readonly AnnotationDef<string>[] = [
  A.secret,
  A.templateFile,
  A.template,
];

/** Built once: the admission path asks for these names many times per pod. */
const FULL_NAMES: ReadonlyMap<AnnotationDef, string> = new Map(
  ANNOTATIONS.map((d) => [d, PREFIX + d.name]),
);

export function fullName(d: AnnotationDef, suffix?: string): string {
  if (suffix === undefined) return FULL_NAMES.get(d) ?? PREFIX + d.name;
  return `${PREFIX}${d.name}-${suffix}`;
}
