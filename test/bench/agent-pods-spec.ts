/**
 * The two pod shapes the real-pod agent benchmark compares, made to differ
 * only in the agent:
 *
 * - vaultlet: an annotated pod mutated by `vaultlet inject` (the webhook's
 *   own mutation code), so the agent containers, their config, resources,
 *   volumes and security context are exactly what the webhook would give;
 * - bao agent: the same mutated pod with each agent container's image
 *   replaced by OpenBao's `bao` (the benchmark-only image) reading the same
 *   config from a ConfigMap (bao has no shell to decode VAULT_CONFIG), less
 *   vaultlet's own `vaultlet` stanza, logging in on its own jwt mount so
 *   OpenBao's audit log tells the two apart.
 *
 * The app is the cluster's probe image sleeping; both agents render one KV
 * v2 secret and re-read it every `interval`.
 */
import { parseAllDocuments, stringify } from "yaml";
import { BAO_BIN_PATH } from "../../deploy/images/layout.ts";
import { PROBE_IMAGE } from "../support/cluster/client.ts";
import { vaultletInject } from "../support/cluster/inject.ts";

const A = "vault.hashicorp.com/";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type AgentKind = "vaultlet" | "bao";
export const KINDS: readonly AgentKind[] = ["vaultlet", "bao"];

/** the jwt mount each kind logs in on */
export const authMount = (kind: AgentKind) => `jwt-${kind}`;
/** the policy each kind's token carries, so the audit log attributes every request */
export const policyName = (kind: AgentKind) => `bench-${kind}`;
export const SECRET_PATH = "secret/data/bench";
export const SERVICE_ACCOUNT = "bench";
const CONFIG_MAP = "bao-agent-config";

export interface PodShapeOptions {
  /** host:port the pods reach OpenBao at (a relay on the bridge) */
  readonly vaultAddress: string;
  /** template-static-secret-render-interval, e.g. "5s" */
  readonly interval: string;
}

/** The app pod before injection: one template, the interval, small requests so 200 pods fit on 2 cores. */
function annotatedPod(interval: string): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "template",
      annotations: {
        [`${A}agent-inject`]: "true",
        [`${A}role`]: "bench",
        [`${A}auth-type`]: "jwt",
        [`${A}auth-path`]: `auth/${authMount("vaultlet")}`,
        [`${A}agent-inject-secret-bench`]: SECRET_PATH,
        [`${A}agent-inject-template-bench`]: `{{ with secret "${SECRET_PATH}" }}{{ .Data.data.password }}{{ end }}`,
        [`${A}template-static-secret-render-interval`]: interval,
        // the scheduler counts requests: the defaults (250m) would fit 8 pods on this node
        [`${A}agent-requests-cpu`]: "1m",
        [`${A}agent-requests-mem`]: "16Mi",
      },
    },
    spec: {
      serviceAccountName: SERVICE_ACCOUNT,
      terminationGracePeriodSeconds: 5,
      containers: [{ name: "app", image: PROBE_IMAGE, imagePullPolicy: "Never", args: ["sleep"] }],
    },
  };
}

/** `vaultlet inject` of the annotated pod: the pod spec the webhook would admit. */
export async function injectedPod(opts: PodShapeOptions): Promise<Obj> {
  const manifest = stringify(annotatedPod(opts.interval));
  const { stdout } = await vaultletInject(manifest, `http://${opts.vaultAddress}`);
  return parseAllDocuments(stdout)[0]!.toJS() as Obj;
}

function agentContainers(pod: Obj): Obj[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].filter((c: Obj) =>
    String(c.name).startsWith("vault-agent"),
  );
}

function configOf(container: Obj): Obj {
  const env = (container.env as Obj[]).find((e) => e.name === "VAULT_CONFIG");
  if (!env) throw new Error(`container ${container.name} has no VAULT_CONFIG`);
  return JSON.parse(Buffer.from(env.value as string, "base64").toString("utf8")) as Obj;
}

/** The vaultlet pod named `name`, with the agent image the cluster holds. */
export function vaultletPod(injected: Obj, name: string, agentImage: string): Obj {
  const pod = structuredClone(injected);
  pod.metadata = { name, labels: { bench: "vaultlet" }, annotations: pod.metadata.annotations };
  for (const c of agentContainers(pod)) c.image = agentImage;
  return pod;
}

/** The ConfigMap the bao pods read: each agent container's config as vaultlet got it, for bao. */
export function baoConfigMap(injected: Obj): Obj {
  const data: Record<string, string> = {};
  for (const c of agentContainers(injected)) {
    const config = configOf(c);
    delete config.vaultlet;
    config.auto_auth.method.mount_path = `auth/${authMount("bao")}`;
    data[`${c.name}.json`] = JSON.stringify(config, null, 2);
  }
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: CONFIG_MAP }, data };
}

/** The bao pod named `name`: the injected pod with `bao agent` in each agent container. */
export function baoPod(injected: Obj, name: string, baoImage: string): Obj {
  const pod = structuredClone(injected);
  pod.metadata = { name, labels: { bench: "bao" } };
  for (const c of agentContainers(pod)) {
    c.image = baoImage;
    c.command = [BAO_BIN_PATH, "agent", `-config=/vault/config/${c.name}.json`];
    c.env = (c.env as Obj[]).filter((e) => e.name !== "VAULT_CONFIG");
    c.volumeMounts = [
      ...(c.volumeMounts as Obj[]),
      { name: "bao-config", mountPath: "/vault/config", readOnly: true },
    ];
  }
  pod.spec.volumes = [
    ...(pod.spec.volumes as Obj[]),
    { name: "bao-config", configMap: { name: CONFIG_MAP } },
  ];
  return pod;
}

export function podOf(kind: AgentKind, injected: Obj, name: string, image: string): Obj {
  return kind === "vaultlet" ? vaultletPod(injected, name, image) : baoPod(injected, name, image);
}
