import {
  AdmissionregistrationV1Api,
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Secret,
} from "@kubernetes/client-node";
import { VaultletError } from "../../shared/errors.ts";

/** The three Kubernetes APIs automatic TLS talks to, and nothing else. */
export interface KubeApis {
  readonly admission: AdmissionregistrationV1Api;
  readonly coordination: CoordinationV1Api;
  readonly core: CoreV1Api;
}

export function kubeApis(kc: KubeConfig): KubeApis {
  return {
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    core: kc.makeApiClient(CoreV1Api),
  };
}

/** True when `err` is the API server answering with HTTP `code` (404 NotFound, 409 Conflict...). */
export function isApiStatus(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

/**
 * A 401 or 403 from the API server as an error naming the call and the fix;
 * anything else is returned unchanged. The client's own message is only
 * "HTTP-Code: 403", which says neither what was refused nor why.
 */
export function explainRefusal(err: unknown, call: string): unknown {
  if (isApiStatus(err, 403)) {
    return new VaultletError(
      "TLS_AUTO_FORBIDDEN",
      `the API server refused ${call} (403 Forbidden): the webhook's ServiceAccount needs that ` +
        "permission; the chart's ClusterRole and Role grant exactly what automatic TLS uses, " +
        "for the release's own names (AGENT_INJECT_TLS_AUTO must name the release's configuration)",
      { cause: err },
    );
  }
  if (isApiStatus(err, 401)) {
    return new VaultletError(
      "TLS_AUTO_UNAUTHORIZED",
      `the API server did not accept the webhook's credentials for ${call} (401 Unauthorized): ` +
        "check its ServiceAccount token (or KUBECONFIG outside a pod)",
      { cause: err },
    );
  }
  return err;
}

/**
 * Puts `bundlePem` into every webhook's clientConfig.caBundle of the named
 * MutatingWebhookConfiguration. A JSON patch with a `test` on each webhook's
 * name keeps the indexes honest if someone edits the object meanwhile.
 * Returns false when every caBundle already matched.
 */
export async function patchWebhookCaBundle(
  api: AdmissionregistrationV1Api,
  name: string,
  bundlePem: string,
): Promise<boolean> {
  let config;
  try {
    config = await api.readMutatingWebhookConfiguration({ name });
  } catch (err) {
    if (!isApiStatus(err, 404)) {
      throw explainRefusal(err, `get mutatingwebhookconfigurations/${name}`);
    }
    throw new VaultletError(
      "TLS_AUTO",
      `MutatingWebhookConfiguration "${name}" not found: AGENT_INJECT_TLS_AUTO must name the webhook configuration to keep the caBundle of`,
      { cause: err },
    );
  }
  const wanted = Buffer.from(bundlePem).toString("base64");
  const ops: object[] = [];
  (config.webhooks ?? []).forEach((hook, i) => {
    if (hook.clientConfig?.caBundle === wanted) return;
    ops.push({ op: "test", path: `/webhooks/${i}/name`, value: hook.name });
    ops.push({ op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: wanted });
  });
  if (ops.length === 0) return false;
  await api.patchMutatingWebhookConfiguration({ name, body: ops }).catch((err: unknown) => {
    throw explainRefusal(err, `patch mutatingwebhookconfigurations/${name}`);
  });
  return true;
}

export async function readSecretOrUndefined(
  api: CoreV1Api,
  namespace: string,
  name: string,
): Promise<V1Secret | undefined> {
  try {
    return await api.readNamespacedSecret({ namespace, name });
  } catch (err) {
    if (isApiStatus(err, 404)) return undefined;
    throw explainRefusal(err, `get secrets/${name} in namespace ${namespace}`);
  }
}

/**
 * Creates the Secret, or replaces it when `resourceVersion` (of the copy that
 * was read) is given. Returns false on a 409: another replica wrote first.
 */
export async function writeSecret(
  api: CoreV1Api,
  namespace: string,
  name: string,
  data: Record<string, string>,
  resourceVersion: string | undefined,
): Promise<boolean> {
  const body: V1Secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace,
      labels: { "app.kubernetes.io/managed-by": "vaultlet" },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    type: "Opaque",
    data,
  };
  try {
    if (resourceVersion) await api.replaceNamespacedSecret({ namespace, name, body });
    else await api.createNamespacedSecret({ namespace, body });
    return true;
  } catch (err) {
    if (isApiStatus(err, 409)) return false;
    const verb = resourceVersion ? `update secrets/${name}` : "create secrets";
    throw explainRefusal(err, `${verb} in namespace ${namespace}`);
  }
}
