import assert from "node:assert/strict";
import path from "node:path";
import jsonpatch from "fast-json-patch";
import { injectPod, type InjectResult } from "../../../webhook/mutate/inject.ts";
import type { Container, Pod } from "../../../webhook/pod.ts";
import {
  CONTAINER_INIT,
  CONTAINER_SIDECAR,
  VOLUME_SECRETS,
  VOLUME_SECRETS_CUSTOM_PREFIX,
  VOLUME_TOKEN,
} from "../../../webhook/mutate/names.ts";
import { defaultSettings, type InjectorSettings } from "../../../webhook/settings.ts";

/** Pods and checks shared by the hostile-input properties of the webhook. */

export const PREFIX = "vault.hashicorp.com/";
export const AGENT_CONTAINERS: ReadonlySet<string> = new Set([CONTAINER_INIT, CONTAINER_SIDECAR]);

export const SETTINGS: InjectorSettings = Object.freeze({
  ...defaultSettings(),
  vaultAddress: "https://vault.example:8200",
});

/** A pod as a controller creates it, carrying the given annotations on top of a working set. */
export function podWith(annotations: Record<string, string>, base = true): Pod {
  return {
    metadata: {
      name: "web-0",
      namespace: "app",
      annotations: {
        ...(base
          ? {
              [`${PREFIX}agent-inject`]: "true",
              [`${PREFIX}role`]: "web",
              [`${PREFIX}agent-inject-secret-db`]: "database/creds/web",
            }
          : {}),
        ...annotations,
      },
    },
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.example/app:1",
          env: [{ name: "PASSWORD", value: "app-env-value" }],
          volumeMounts: [
            {
              name: "sa",
              readOnly: true,
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            },
          ],
        },
        { name: "metrics", image: "registry.example/metrics:1" },
      ],
      initContainers: [{ name: "migrate", image: "registry.example/migrate:1" }],
      volumes: [
        { name: "sa", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
      ],
    },
  };
}

export type Patched = { result: Extract<InjectResult, { kind: "patch" }>; pod: Pod };

/** injectPod, then the patch applied to a copy with a JSON-patch library. */
export function injectAndApply(
  pod: Pod,
  settings: InjectorSettings = SETTINGS,
): InjectResult & { pod?: Pod } {
  const result = injectPod(pod, "app", settings);
  if (result.kind !== "patch") return result;
  const out = jsonpatch.applyPatch(
    jsonpatch.deepClone(pod),
    jsonpatch.deepClone(result.patch),
    true,
    false,
  ).newDocument as Pod;
  return { ...result, pod: out };
}

export function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

export interface AgentTemplateView {
  readonly container: string;
  readonly destination: string;
  /** mount paths of the secrets volumes this agent container has */
  readonly secretMounts: string[];
}

/** Every template destination of every generated agent config, with the container's secrets mounts. */
export function templateDestinations(pod: Pod): AgentTemplateView[] {
  const out: AgentTemplateView[] = [];
  for (const c of allContainers(pod)) {
    if (!AGENT_CONTAINERS.has(c.name)) continue;
    const encoded = c.env?.find((e) => e.name === "VAULT_CONFIG")?.value;
    if (encoded === undefined) continue;
    const config = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as {
      template?: Array<{ destination: string }>;
    };
    const secretMounts = (c.volumeMounts ?? [])
      .filter((m) => m.name === VOLUME_SECRETS || m.name.startsWith(VOLUME_SECRETS_CUSTOM_PREFIX))
      .map((m) => m.mountPath);
    for (const t of config.template ?? [])
      out.push({ container: c.name, destination: t.destination, secretMounts });
  }
  return out;
}

/** A destination is confined when it is a normal absolute path strictly below one of the secrets mounts. */
export function assertConfined(view: AgentTemplateView): void {
  const d = view.destination;
  assert.ok(!d.includes("\0"), `NUL byte in destination ${JSON.stringify(d)}`);
  assert.equal(path.posix.normalize(d), d, `destination ${JSON.stringify(d)} is not normalised`);
  assert.ok(!d.split("/").includes(".."), `destination ${JSON.stringify(d)} climbs with ..`);
  assert.ok(
    view.secretMounts.some(
      (m) => d.startsWith(m.endsWith("/") ? m : m + "/") && d.length > m.length + 1,
    ),
    `${view.container}: destination ${JSON.stringify(d)} is outside its secrets volumes ${JSON.stringify(view.secretMounts)}`,
  );
}

/** Only agent containers may mount the Vault-audience projected token. */
export function assertTokenOnlyInAgents(pod: Pod): void {
  for (const c of allContainers(pod)) {
    const mountsToken = (c.volumeMounts ?? []).some((m) => m.name === VOLUME_TOKEN);
    if (!AGENT_CONTAINERS.has(c.name))
      assert.ok(!mountsToken, `container ${c.name} mounts the Vault-audience token volume`);
  }
}
