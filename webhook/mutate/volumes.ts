import type { InjectionSpec } from "../annotations/spec.ts";
import type { Pod, Volume, VolumeMount } from "../pod.ts";
import { containersOf, initContainersOf } from "../pod.ts";
import {
  CACHE_PATH,
  CONFIG_PATH,
  EXTRA_SECRET_PATH,
  HOME_PATH,
  TLS_SECRET_PATH,
  TOKEN_MOUNT_PATH,
  TOKEN_FILE,
  VOLUME_CACHE,
  VOLUME_CONFIG,
  VOLUME_EXTRA_SECRET,
  VOLUME_HOME_INIT,
  VOLUME_HOME_SIDECAR,
  VOLUME_SECRETS,
  VOLUME_SECRETS_CUSTOM_PREFIX,
  VOLUME_TLS_SECRET,
  VOLUME_TOKEN,
} from "./names.ts";
import type { Layout } from "./layout.ts";
import { awsTokenMount } from "./aws.ts";

function memoryDir(name: string, sizeLimit?: string): Volume {
  return { name, emptyDir: sizeLimit ? { medium: "Memory", sizeLimit } : { medium: "Memory" } };
}

/** Every volume the injection adds, in the reference injector's order. */
export function podVolumes(spec: InjectionSpec, layout: Layout): Volume[] {
  const out: Volume[] = [];
  if (layout.init) out.push(memoryDir(VOLUME_HOME_INIT));
  if (layout.sidecar || layout.native) out.push(memoryDir(VOLUME_HOME_SIDECAR));
  if (spec.token.kind === "projected") {
    out.push({
      name: VOLUME_TOKEN,
      projected: {
        // Default mode (0644): the agent's uid differs from the file owner, and
        // only agent containers mount this volume, so nobody else can read it.
        sources: [
          {
            serviceAccountToken: {
              path: TOKEN_FILE,
              audience: spec.token.audience,
              expirationSeconds: spec.token.expirationSeconds,
            },
          },
        ],
      },
    });
  }
  out.push(memoryDir(VOLUME_SECRETS, spec.secretsVolumeSizeLimit));
  spec.extraSecretPaths.forEach((_, i) =>
    out.push(memoryDir(VOLUME_SECRETS_CUSTOM_PREFIX + i, spec.secretsVolumeSizeLimit)),
  );
  if (spec.configMap) out.push({ name: VOLUME_CONFIG, configMap: { name: spec.configMap } });
  if (spec.extraSecret)
    out.push({ name: VOLUME_EXTRA_SECRET, secret: { secretName: spec.extraSecret } });
  if (spec.vault.tlsSecret)
    out.push({ name: VOLUME_TLS_SECRET, secret: { secretName: spec.vault.tlsSecret } });
  if (spec.cache.persist) out.push(memoryDir(VOLUME_CACHE));
  return out;
}

/** The secrets mounts, as application containers (maybe read-only) or agents (read-write) see them. */
export function secretsMounts(spec: InjectionSpec, readOnly: boolean): VolumeMount[] {
  const ro = readOnly ? { readOnly: true } : {};
  return [
    { name: VOLUME_SECRETS, mountPath: spec.secretVolumePath, ...ro },
    ...spec.extraSecretPaths.map((p, i) => ({
      name: VOLUME_SECRETS_CUSTOM_PREFIX + i,
      mountPath: p,
      ...ro,
    })),
  ];
}

/** Mounts of one agent container, in the reference injector's order. */
export function agentMounts(
  spec: InjectionSpec,
  pod: Pod,
  home: string,
  withCache: boolean,
): VolumeMount[] {
  const out: VolumeMount[] = [];
  if (spec.token.kind === "projected")
    out.push({ name: VOLUME_TOKEN, mountPath: TOKEN_MOUNT_PATH, readOnly: true });
  else out.push({ name: spec.token.volumeName, mountPath: spec.token.mountPath, readOnly: true });
  out.push({ name: home, mountPath: HOME_PATH });
  const aws = awsTokenMount(spec, pod);
  if (aws) out.push(aws);
  out.push(...secretsMounts(spec, false));
  if (spec.extraSecret)
    out.push({ name: VOLUME_EXTRA_SECRET, mountPath: EXTRA_SECRET_PATH, readOnly: true });
  if (spec.copyVolumeMountsFrom) out.push(...copiedMounts(pod, spec.copyVolumeMountsFrom, out));
  if (spec.configMap) out.push({ name: VOLUME_CONFIG, mountPath: CONFIG_PATH, readOnly: true });
  if (spec.vault.tlsSecret)
    out.push({ name: VOLUME_TLS_SECRET, mountPath: TLS_SECRET_PATH, readOnly: true });
  if (withCache && spec.cache.persist) out.push({ name: VOLUME_CACHE, mountPath: CACHE_PATH });
  return out;
}

/**
 * Another container's mounts, without service-account token mounts (the
 * agent has its own) and without any path the agent already mounts.
 */
function copiedMounts(pod: Pod, from: string, already: VolumeMount[]): VolumeMount[] {
  const source = [...containersOf(pod), ...initContainersOf(pod)].find((c) => c.name === from);
  const taken = new Set(already.map((m) => m.mountPath));
  return (source?.volumeMounts ?? [])
    .filter((m) => !m.mountPath.toLowerCase().includes("serviceaccount") && !taken.has(m.mountPath))
    .map((m) => ({ ...m }));
}
