import jsonpatch from "fast-json-patch";
import { VaultletError } from "../../shared/errors.ts";
import type { InjectionSpec } from "../annotations/spec.ts";
import { A, PREFIX } from "../annotations/table.ts";
import { buildAgentConfig, encodeAgentConfig, type AgentRole } from "./agent-config.ts";
import {
  AGENT_COMMAND,
  CONFIG_ENV,
  CONFIG_PATH,
  CONTAINER_INIT,
  CONTAINER_SIDECAR,
  HOME_PATH,
  OPS_PORT,
  OPS_READY_PATH,
  VOLUME_HOME_INIT,
  VOLUME_HOME_SIDECAR,
} from "./names.ts";
import type { Container, EnvVar, Pod } from "../pod.ts";
import { agentMounts } from "./volumes.ts";
import { awsEnv } from "./aws.ts";

/**
 * One agent container. Its command runs the agent binary directly (no
 * shell in the image): the generated config travels base64-encoded in
 * VAULT_CONFIG, as with the reference injector, and the agent reads it with
 * `-config-env=VAULT_CONFIG`; with agent-configmap it reads the mounted file.
 */
export function agentContainer(spec: InjectionSpec, pod: Pod, role: AgentRole): Container {
  const init = role === "init";
  const container: Container = {
    name: role === "init" ? CONTAINER_INIT : CONTAINER_SIDECAR,
    image: spec.image,
    ...command(spec, init),
    env: [...agentEnv(spec, role), ...awsEnv(spec, pod)],
    resources: resources(spec),
    volumeMounts: agentMounts(spec, pod, init ? VOLUME_HOME_INIT : VOLUME_HOME_SIDECAR, true),
  };
  if (!init && spec.revokeOnShutdown && spec.revokeGraceSeconds > 0) {
    // The agent revokes its token on SIGTERM; the preStop sleep delays that
    // signal by the grace period so the app can finish with its secrets.
    container.lifecycle = { preStop: { sleep: { seconds: spec.revokeGraceSeconds } } };
  }
  if (spec.securityContext.set) container.securityContext = securityContext(spec);
  // Vault Agent has no readiness endpoint: no port, no startup probe (admission warned)
  if (role === "native" && spec.agentKind === "vault") container.restartPolicy = "Always";
  else if (role === "native") {
    container.restartPolicy = "Always";
    container.ports = [{ name: "agent-ops", containerPort: OPS_PORT, protocol: "TCP" }];
    if (spec.prePopulate) {
      container.startupProbe = {
        httpGet: { path: OPS_READY_PATH, port: OPS_PORT, scheme: "HTTP" },
        periodSeconds: 1,
        timeoutSeconds: 1,
        // five minutes for the first login and render before the pod is failed
        failureThreshold: 300,
      };
    }
  }
  const patch = init ? spec.initJsonPatch : spec.jsonPatch;
  return patch
    ? applyContainerPatch(container, patch, init ? A.initJsonPatch.name : A.jsonPatch.name)
    : container;
}

function command(spec: InjectionSpec, init: boolean): Pick<Container, "command" | "args"> {
  const file = `${CONFIG_PATH}/${init ? "config-init.hcl" : "config.hcl"}`;
  if (spec.agentKind === "vault") return vaultAgentCommand(spec.configMap ? file : undefined);
  if (spec.configMap) return { command: [...AGENT_COMMAND, `-config=${file}`] };
  return { command: [...AGENT_COMMAND, `-config-env=${CONFIG_ENV}`] };
}

/**
 * Vault's and OpenBao's images read no config from the environment: as the
 * reference injector does, a shell writes VAULT_CONFIG to the home volume.
 * OpenBao's binary is `bao`, Vault's `vault`.
 */
function vaultAgentCommand(configFile: string | undefined): Pick<Container, "command" | "args"> {
  const bin = '"$(command -v bao || echo vault)"';
  const json = `${HOME_PATH}/config.json`;
  const script =
    configFile === undefined
      ? `echo \${${CONFIG_ENV}?} | base64 -d > ${json} && exec ${bin} agent -config=${json}`
      : `exec ${bin} agent -config=${configFile}`;
  return { command: ["/bin/sh", "-ec"], args: [script] };
}

function resources(spec: InjectionSpec): NonNullable<Container["resources"]> {
  const out: NonNullable<Container["resources"]> = {};
  if (Object.keys(spec.resources.limits).length > 0) out.limits = { ...spec.resources.limits };
  if (Object.keys(spec.resources.requests).length > 0)
    out.requests = { ...spec.resources.requests };
  return out;
}

function securityContext(spec: InjectionSpec): NonNullable<Container["securityContext"]> {
  const { runAsUser, runAsGroup } = spec.securityContext;
  return {
    runAsUser,
    runAsGroup,
    runAsNonRoot: runAsUser !== 0 && runAsGroup !== 0,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    allowPrivilegeEscalation: false,
  };
}

/** Fresh objects each call: a json-patch annotation may modify the container it is applied to. */
function fieldEnv(): EnvVar[] {
  return [
    { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
    { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
  ];
}

function agentEnv(spec: InjectionSpec, role: AgentRole): EnvVar[] {
  const env = fieldEnv();
  const add = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== "") env.push({ name, value: String(value) });
  };
  add("GOMAXPROCS", spec.goMaxProcs);
  add(
    "VAULT_CLIENT_TIMEOUT",
    spec.vault.clientTimeoutMs === undefined ? undefined : `${spec.vault.clientTimeoutMs / 1000}s`,
  );
  add("VAULT_MAX_RETRIES", spec.vault.clientMaxRetries);
  add("VAULT_LOG_LEVEL", spec.logLevel);
  add("VAULT_LOG_FORMAT", spec.logFormat);
  add("HTTPS_PROXY", spec.vault.proxyAddress);
  if (!spec.configMap) {
    add(CONFIG_ENV, encodeAgentConfig(buildAgentConfig(spec, role)));
  } else {
    // A user's config may leave out the vault stanza; the standard variables fill it in.
    add("VAULT_ADDR", spec.vault.address);
    add("VAULT_CACERT", spec.vault.caCert);
    add("VAULT_CAPATH", spec.vault.caPath);
    add("VAULT_CLIENT_CERT", spec.vault.clientCert);
    add("VAULT_CLIENT_KEY", spec.vault.clientKey);
    add("VAULT_SKIP_VERIFY", String(spec.vault.tlsSkipVerify));
    add("VAULT_TLS_SERVER_NAME", spec.vault.tlsServerName);
  }
  add(
    "VAULT_CACERT_BYTES",
    spec.vault.caCertBytes === undefined ? undefined : decodeIfBase64(spec.vault.caCertBytes),
  );
  return env;
}

function decodeIfBase64(s: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s.replace(/\s+/g, "")) || s.includes("-----BEGIN")) return s;
  return Buffer.from(s, "base64").toString("utf8");
}

/** Total bytes (as JSON) all "copy" operations of one container patch may duplicate. */
export const MAX_PATCH_COPY_BYTES = 64 * 1024;

function jsonSize(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/**
 * Applies agent-json-patch / agent-init-json-patch to the generated
 * container only: the patch sees the container as its whole document, so
 * it cannot touch the rest of the pod.
 */
export function applyContainerPatch(
  container: Container,
  ops: readonly jsonpatch.Operation[],
  annotation: string,
): Container {
  const name = PREFIX + annotation;
  let result: unknown = jsonpatch.deepClone(container);
  // Each "copy" can double the container, so a few dozen of them would
  // exhaust the webhook's memory: the bytes copies add are counted as they
  // happen. add/replace values come from the annotation, already bounded.
  let copied = 0;
  try {
    jsonpatch.deepClone(ops).forEach((op: jsonpatch.Operation, i: number) => {
      if (op.op === "copy") {
        copied += jsonSize(jsonpatch.getValueByPointer(result, op.from));
        if (copied > MAX_PATCH_COPY_BYTES) {
          throw new VaultletError(
            "INVALID_ANNOTATION",
            `${name}: operation ${i} copies more than ${MAX_PATCH_COPY_BYTES} bytes in total; a container patch only needs a few small copies`,
          );
        }
      }
      result = jsonpatch.applyOperation(result, op, true, true, true, i).newDocument;
    });
  } catch (err) {
    if (err instanceof VaultletError) throw err;
    const e = err as { message?: string; index?: number };
    const first = (e.message ?? String(err)).split("\n")[0];
    throw new VaultletError(
      "INVALID_ANNOTATION",
      `${name}: operation ${e.index ?? "?"} cannot be applied to the ${container.name} container: ${first}`,
      { cause: err },
    );
  }
  if (
    typeof result !== "object" ||
    result === null ||
    Array.isArray(result) ||
    (result as Container).name !== container.name
  ) {
    throw new VaultletError(
      "INVALID_ANNOTATION",
      `${name}: the patch must leave a container named ${container.name}`,
    );
  }
  return result as Container;
}
