import { def, BOOL_FORM } from "./define.ts";
import {
  parseDurationMs,
  parseEnum,
  parseGoBool,
  parseList,
  parseQuantityOrEmpty,
} from "../values.ts";
import { parseSignal } from "../../../shared/signal.ts";
import {
  ALLOWABLE_FUNCTIONS,
  type AllowableFunction,
} from "../../../shared/agent-config/values.ts";

/** Template functions named one by one; an empty list is a mistake, not "none". */
function parseAllowedFunctions(raw: string): AllowableFunction[] {
  const names = parseList(raw).map((n) => {
    if (!(ALLOWABLE_FUNCTIONS as readonly string[]).includes(n))
      throw new Error(`names "${n}", which cannot be allowed; use "writeToFile", "plugin" or both`);
    return n as AllowableFunction;
  });
  if (names.length === 0)
    throw new Error('is empty; name the functions to allow, e.g. "writeToFile", or remove it');
  return [...new Set(names)];
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

/** vaultlet's extensions: template engine and signals per secret, then pod-wide ones. */
export const VAULTLET = {
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
  nativeSidecar: def<boolean>({
    name: "agent-native-sidecar",
    kind: "global",
    section: "vaultlet",
    form: BOOL_FORM,
    parse: parseGoBool,
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
    parse: parseGoBool,
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
    parse: parseQuantityOrEmpty,
    defaultValue: (s) => s.secretsVolumeSizeLimit,
    defaultDoc: "none",
    doc: "sizeLimit of each in-memory secrets volume (tmpfs counts against the pod's memory).",
    extension: true,
  }),
  allowFunctions: def<AllowableFunction[]>({
    name: "agent-allow-functions",
    kind: "global",
    section: "vaultlet",
    form: 'comma list of "writeToFile", "plugin"',
    parse: parseAllowedFunctions,
    defaultDoc: "none",
    doc:
      "Template functions that reach outside the template, each allowed by name (the config's " +
      "`vaultlet { allow_functions }`); off by default, so a template calling one is refused when the agent starts. " +
      "`writeToFile` writes, chowns and chmods any path the agent's uid can write; `plugin` runs any executable in the " +
      "agent container with the agent's environment. Allow them only for templates you trust, and keep the agent's root " +
      "filesystem read-only; the pod's admission answer carries a warning while they are allowed (deploy/docs/threat-model.md).",
    extension: true,
  }),
  secretsReadOnly: def<boolean>({
    name: "agent-secrets-read-only",
    kind: "global",
    section: "vaultlet",
    form: BOOL_FORM,
    parse: parseGoBool,
    defaultValue: (s) => s.secretsReadOnly,
    defaultDoc: "false",
    doc: "Mount the secrets volumes read-only into application and other init containers (the agent keeps write access).",
    extension: true,
  }),
} as const;
