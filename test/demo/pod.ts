/**
 * The checkout pod as the API server would send it: the pod template of
 * deploy/examples/kubernetes/checkout.yaml's Deployment, wrapped in an
 * AdmissionReview; and what the webhook's answer does to it.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import fastJsonPatch from "fast-json-patch";
import { parseAllDocuments } from "yaml";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const CHECKOUT_EXAMPLE = new URL(
  "../../deploy/examples/kubernetes/checkout.yaml",
  import.meta.url,
);

/** The Deployment's pod template as a Pod, named the way its ReplicaSet names pods. */
export function checkoutPod(file: URL = CHECKOUT_EXAMPLE): Obj {
  const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as Obj);
  const deployment = docs.find((d) => d?.kind === "Deployment");
  if (!deployment) throw new Error(`${file.pathname}: no Deployment`);
  const template = deployment.spec.template;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...template.metadata,
      generateName: `${deployment.metadata.name}-7d9f8c6b5-`,
      namespace: deployment.metadata.namespace,
    },
    spec: template.spec,
  };
}

/** An AdmissionReview v1 for creating `pod`, shaped as the API server sends it. */
export function admissionReview(pod: Obj): Obj {
  const gvk = { group: "", version: "v1", kind: "Pod" };
  const gvr = { group: "", version: "v1", resource: "pods" };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: randomUUID(),
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      namespace: pod.metadata.namespace,
      operation: "CREATE",
      userInfo: {
        username: "system:serviceaccount:kube-system:replicaset-controller",
        groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system"],
      },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
    },
  };
}

export interface AdmissionOutcome {
  allowed: boolean;
  patch: Obj[];
  warnings: string[];
  message?: string;
}

export function outcomeOf(review: Obj): AdmissionOutcome {
  const res = review.response ?? {};
  const patch = res.patch ? JSON.parse(Buffer.from(res.patch, "base64").toString("utf8")) : [];
  return {
    allowed: res.allowed === true,
    patch,
    warnings: res.warnings ?? [],
    ...(res.status?.message ? { message: res.status.message } : {}),
  };
}

export function applyPatch(pod: Obj, patch: Obj[]): Obj {
  return fastJsonPatch.applyPatch(structuredClone(pod), patch as never, true, false).newDocument;
}

/** One line per change the webhook made, in words. */
export function summarise(before: Obj, after: Obj): string[] {
  const lines: string[] = [];
  const names = (list: Obj[] | undefined) => new Set((list ?? []).map((x) => x.name));
  const newOf = (b: Obj[] | undefined, a: Obj[] | undefined) =>
    (a ?? []).filter((x) => !names(b).has(x.name));
  for (const c of newOf(before.spec.initContainers, after.spec.initContainers)) {
    const kind = c.restartPolicy === "Always" ? "native sidecar" : "init container";
    const probe = c.startupProbe?.httpGet
      ? `, startup probe GET ${c.startupProbe.httpGet.path} :${c.startupProbe.httpGet.port}`
      : "";
    lines.push(`+ ${kind} ${c.name}: ${c.command.join(" ")}${probe}`);
  }
  for (const c of newOf(before.spec.containers, after.spec.containers)) {
    lines.push(`+ sidecar container ${c.name}: ${c.command.join(" ")}`);
  }
  for (const v of newOf(before.spec.volumes, after.spec.volumes)) {
    const token = v.projected?.sources?.find(
      (s: Obj) => s.serviceAccountToken,
    )?.serviceAccountToken;
    const what = token
      ? `projected service-account token, audience "${token.audience}", ${token.expirationSeconds} s`
      : v.emptyDir?.medium === "Memory"
        ? `in-memory emptyDir${v.emptyDir.sizeLimit ? ` (sizeLimit ${v.emptyDir.sizeLimit})` : ""}`
        : "emptyDir";
    lines.push(`+ volume ${v.name}: ${what}`);
  }
  for (const c of after.spec.containers as Obj[]) {
    const old = (before.spec.containers as Obj[]).find((x) => x.name === c.name);
    if (!old) continue;
    const added = (c.volumeMounts ?? []).filter(
      (m: Obj) => !(old.volumeMounts ?? []).some((o: Obj) => o.name === m.name),
    );
    for (const m of added) lines.push(`~ container ${c.name}: mounts ${m.name} at ${m.mountPath}`);
  }
  if (after.spec.shareProcessNamespace && !before.spec.shareProcessNamespace) {
    lines.push("~ shareProcessNamespace: true");
  }
  const status = after.metadata.annotations?.["vault.hashicorp.com/agent-inject-status"];
  if (status) lines.push(`~ annotation agent-inject-status: ${status}`);
  return lines;
}

export interface AgentSpec {
  container: Obj;
  /** the decoded VAULT_CONFIG (Vault Agent's JSON form) */
  config: Obj;
  /** the projected token's path and audience, from the pod's own volume */
  tokenMountPath: string;
  tokenAudience: string;
}

/** The long-running agent container of the patched pod and its configuration. */
export function agentOf(pod: Obj): AgentSpec {
  const all: Obj[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  const container =
    all.find((c) => c.name === "vault-agent" && c.restartPolicy === "Always") ??
    all.find((c) => c.name === "vault-agent");
  if (!container) throw new Error("the patched pod has no vault-agent container");
  const encoded = (container.env as Obj[]).find((e) => e.name === "VAULT_CONFIG")?.value;
  if (!encoded) throw new Error("the vault-agent container has no VAULT_CONFIG");
  const config = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  const tokenVolume = (pod.spec.volumes as Obj[]).find((v) =>
    v.projected?.sources?.some((s: Obj) => s.serviceAccountToken),
  );
  const mount = (container.volumeMounts as Obj[]).find((m) => m.name === tokenVolume?.name);
  const source = tokenVolume?.projected.sources.find((s: Obj) => s.serviceAccountToken);
  if (!mount || !source) throw new Error("the agent has no projected service-account token");
  return {
    container,
    config,
    tokenMountPath: `${mount.mountPath}/${source.serviceAccountToken.path}`,
    tokenAudience: source.serviceAccountToken.audience,
  };
}

/**
 * The same config with the pod's paths moved under `root` (secrets volume,
 * token, the agent's home) and the ops endpoint on loopback.
 */
export function mapToLocal(
  spec: AgentSpec,
  root: { secrets: string; token: string; home: string },
  listen: string,
): Obj {
  const tokenDir = spec.tokenMountPath.slice(0, spec.tokenMountPath.lastIndexOf("/"));
  let text = JSON.stringify(spec.config);
  for (const [from, to] of [
    ["/vault/secrets", root.secrets],
    [tokenDir, root.token],
    ["/home/vault", root.home],
  ] as const) {
    text = text.split(from).join(to);
  }
  const config = JSON.parse(text);
  config.vaultlet = { ...(config.vaultlet ?? {}), listen };
  return config;
}
