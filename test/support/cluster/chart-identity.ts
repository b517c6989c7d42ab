/**
 * The webhook's identity as the chart installs it, for a webhook process
 * running on the host against the test cluster's API server: a namespace of
 * its own, the chart's ServiceAccount, Role, ClusterRole and bindings
 * (rendered by helm from deploy/chart/vaultlet, nothing added), and a
 * @kubernetes/client-node configuration carrying that ServiceAccount's token.
 * Whatever the webhook does with it is allowed by the chart's RBAC alone.
 *
 *   const id = await chartIdentity(cluster, "tls");
 *   await cluster.apply(webhookConfiguration(id.webhookConfigName), undefined); // as the chart would
 *   const source = autoTlsSource({ apis: kubeApis(id.kubeConfig()), namespace: id.namespace, ... });
 *   id.requests                 // every call the webhook's client made: method, path, content type
 *   await id.remove();          // the namespace and the cluster-wide objects
 *
 * The requests are recorded in the client itself (the hook it calls to add
 * credentials to each request); every answer comes from the real API server.
 */
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import type { TestCluster } from "./client.ts";
import { serviceAccountToken } from "./vault-trust.ts";

const CHART = resolve(import.meta.dirname, "../../../deploy/chart/vaultlet");
const RELEASE = "vaultlet";
const run = promisify(execFile);

export interface RecordedRequest {
  readonly method: string;
  /** path and query, e.g. /apis/coordination.k8s.io/v1/namespaces/NS/leases/NAME */
  readonly path: string;
  readonly contentType: string | undefined;
}

export interface ChartIdentity {
  readonly namespace: string;
  /** the MutatingWebhookConfiguration the chart's ClusterRole names */
  readonly webhookConfigName: string;
  /** the ServiceAccount the chart's bindings name */
  readonly serviceAccount: string;
  readonly requests: RecordedRequest[];
  /** a client configuration for the API server as the chart's ServiceAccount, recording its calls */
  kubeConfig(): KubeConfig;
  /** writes a kubeconfig file for a `vaultlet webhook` process (KUBECONFIG) */
  kubeconfigText(): string;
  remove(): Promise<void>;
}

class RecordingKubeConfig extends KubeConfig {
  private readonly log: RecordedRequest[];

  constructor(log: RecordedRequest[]) {
    super();
    this.log = log;
  }

  override async applySecurityAuthentication(
    context: Parameters<KubeConfig["applySecurityAuthentication"]>[0],
  ): Promise<void> {
    const url = new URL(context.getUrl());
    this.log.push({
      method: context.getHttpMethod(),
      path: `${url.pathname}${url.search}`,
      contentType: context.getHeaders()["Content-Type"],
    });
    await super.applySecurityAuthentication(context);
  }
}

async function renderRbac(
  cluster: TestCluster,
  namespace: string,
  sets: string[],
): Promise<string> {
  const helm = process.env.HELM_BIN;
  if (!helm) throw new Error("HELM_BIN is not set: source test/scripts/setup.sh");
  const { stdout } = await run(helm, [
    ...["template", RELEASE, CHART, "-n", namespace],
    // the chart requires Kubernetes 1.30+: render for the cluster's own version
    ...["--kube-version", await serverVersion(cluster)],
    ...["--show-only", "templates/serviceaccount.yaml", "--show-only", "templates/rbac.yaml"],
    ...sets.flatMap((s) => ["--set", s]),
  ]);
  return stdout;
}

async function serverVersion(cluster: TestCluster): Promise<string> {
  return (JSON.parse(await cluster.kubectl(["get", "--raw", "/version"])) as { gitVersion: string })
    .gitVersion;
}

/** A namespace holding the chart's RBAC for release "vaultlet"; `sets` are helm --set values. */
export async function chartIdentity(
  cluster: TestCluster,
  prefix: string,
  sets: string[] = [],
): Promise<ChartIdentity> {
  const namespace = await cluster.createNamespace(prefix);
  const rendered = await renderRbac(cluster, namespace, sets);
  await cluster.apply(rendered, namespace);
  // the chart's naming (templates/_helpers.tpl): release "vaultlet" is its full name
  const webhookConfigName = `${RELEASE}-${namespace}`;
  const serviceAccount = RELEASE;
  const token = await serviceAccountToken(cluster, namespace, serviceAccount, { duration: "1h" });
  const requests: RecordedRequest[] = [];
  const options = {
    clusters: [
      { name: "test", server: cluster.server, caFile: join(cluster.layout.pkiDir, "ca.crt") },
    ],
    users: [{ name: serviceAccount, token }],
    contexts: [{ name: "chart", cluster: "test", user: serviceAccount }],
    currentContext: "chart",
  };
  return {
    namespace,
    webhookConfigName,
    serviceAccount,
    requests,
    kubeConfig() {
      const kc = new RecordingKubeConfig(requests);
      kc.loadFromOptions(options);
      return kc;
    },
    kubeconfigText() {
      const kc = new KubeConfig();
      kc.loadFromOptions(options);
      return kc.exportConfig();
    },
    async remove() {
      const objects = ["clusterrole", "clusterrolebinding", "mutatingwebhookconfiguration"].map(
        (kind) => `${kind}/${webhookConfigName}`,
      );
      await cluster
        .kubectl(["delete", ...objects, "--ignore-not-found", "--wait=false"])
        .catch(() => undefined);
      await cluster
        .kubectl(["delete", "namespace", namespace, "--wait=false"])
        .catch(() => undefined);
    },
  };
}
