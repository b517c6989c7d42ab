import type { Operation } from "fast-json-patch";
import type { AgentKind } from "./agent-kind.ts";

/**
 * What one pod asked for, parsed once from its annotations (and the
 * injector's settings for anything left unsaid). Values are real types:
 * numbers, unions, durations in milliseconds. Mutation reads only this.
 */
export interface InjectionSpec {
  readonly secrets: readonly SecretSpec[];
  readonly secretVolumePath: string;
  /** distinct per-secret mount paths other than secretVolumePath, in first-seen order */
  readonly extraSecretPaths: readonly string[];
  readonly injectToken: boolean;
  readonly defaultTemplate: "map" | "json";

  readonly prePopulate: boolean;
  readonly prePopulateOnly: boolean;
  readonly initFirst: boolean;
  readonly nativeSidecar: boolean;
  /** application containers that get the secrets mounts */
  readonly appContainers: readonly string[];

  readonly image: string;
  /** vault: the image runs Vault Agent (Vault's or OpenBao's), which reads only Vault Agent's keys */
  readonly agentKind: AgentKind;
  readonly resources: {
    readonly limits: Readonly<Record<string, string>>;
    readonly requests: Readonly<Record<string, string>>;
  };
  readonly securityContext: SecuritySpec;
  readonly shareProcessNamespace: boolean | undefined;
  readonly copyVolumeMountsFrom: string | undefined;
  readonly configMap: string | undefined;
  readonly extraSecret: string | undefined;
  readonly token: TokenSpec;
  readonly jsonPatch: readonly Operation[] | undefined;
  readonly initJsonPatch: readonly Operation[] | undefined;
  readonly revokeOnShutdown: boolean;
  readonly revokeGraceSeconds: number;
  readonly cache: CacheSpec;
  readonly enableQuit: boolean;
  readonly goMaxProcs: number | undefined;
  readonly logLevel: "trace" | "debug" | "info" | "warn" | "error";
  readonly logFormat: "standard" | "json";
  readonly telemetry: Readonly<Record<string, unknown>>;
  readonly templateConfig: TemplateConfigSpec;
  readonly disableIdleConnections: readonly string[];
  readonly disableKeepAlives: readonly string[];
  readonly secretsVolumeSizeLimit: string | undefined;
  readonly secretsReadOnly: boolean;
  /** template functions the pod allows (vaultlet's agent only) */
  readonly allowFunctions: ReadonlyArray<"writeToFile" | "plugin">;

  readonly vault: VaultSpec;
  readonly auth: AuthSpec;
}

export interface SecretSpec {
  /** file name (lowercased unless preserve-secret-case) */
  readonly name: string;
  /** the annotation suffix as written */
  readonly rawName: string;
  /** Vault path; undefined when the secret is defined by a template alone */
  readonly path: string | undefined;
  readonly template: string | undefined;
  readonly templateFile: string | undefined;
  readonly mountPath: string;
  /** file relative to mountPath (agent-inject-file or the name) */
  readonly file: string;
  readonly perms: number | undefined;
  readonly command: string | undefined;
  readonly errorOnMissingKey: boolean;
  readonly leftDelimiter: string | undefined;
  readonly rightDelimiter: string | undefined;
  readonly engine: "go" | "handlebars";
  /** vaultlet extension: signal a process after the file changes */
  readonly signal: SignalSpec | undefined;
}

/** Exactly one of processName and pidFile is set. */
export interface SignalSpec {
  readonly signal: string;
  readonly processName: string | undefined;
  readonly pidFile: string | undefined;
}

export interface SecuritySpec {
  /** false: no securityContext on the agent containers at all */
  readonly set: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
}

/**
 * projected: vaultlet adds an audience-scoped token volume for the agents.
 * pod: the reference behaviour, a token volume the pod already has.
 */
export type TokenSpec =
  | { readonly kind: "projected"; readonly audience: string; readonly expirationSeconds: number }
  | {
      readonly kind: "pod";
      readonly volumeName: string;
      readonly mountPath: string;
      /** file inside the volume */
      readonly tokenPath: string;
    };

export interface CacheSpec {
  readonly enable: boolean;
  readonly useAutoAuthToken: "true" | "false" | "force";
  readonly listenerPort: number;
  readonly exitOnErr: boolean;
  /** the reference persists the cache when both an init container and a sidecar run */
  readonly persist: boolean;
}

export interface TemplateConfigSpec {
  readonly exitOnRetryFailure: boolean;
  readonly staticSecretRenderIntervalMs: number | undefined;
  readonly maxConnectionsPerHost: number | undefined;
  readonly leaseRenewalThreshold: number | undefined;
}

export interface VaultSpec {
  readonly address: string;
  readonly proxyAddress: string | undefined;
  readonly caCert: string | undefined;
  /** written as ca_path */
  readonly caPath: string | undefined;
  readonly caCertBytes: string | undefined;
  readonly clientCert: string | undefined;
  readonly clientKey: string | undefined;
  readonly tlsSkipVerify: boolean;
  readonly tlsServerName: string | undefined;
  readonly tlsSecret: string | undefined;
  readonly clientMaxRetries: number | undefined;
  readonly clientTimeoutMs: number | undefined;
}

export interface AuthSpec {
  readonly type: string;
  readonly path: string;
  readonly namespace: string | undefined;
  readonly role: string | undefined;
  /** auth-config-* with `-` turned into `_` */
  readonly config: Readonly<Record<string, string>>;
  readonly minBackoffMs: number | undefined;
  readonly maxBackoffMs: number | undefined;
  readonly exitOnErr: boolean;
}
