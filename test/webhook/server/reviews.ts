import { randomUUID } from "node:crypto";

/** AdmissionReview bodies shaped as the API server sends them for a pod CREATE. */

export interface ReviewInput {
  readonly apiVersion?: "admission.k8s.io/v1" | "admission.k8s.io/v1beta1";
  readonly uid?: string;
  readonly namespace?: string;
  readonly operation?: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  readonly object: unknown;
  readonly kind?: { group: string; version: string; kind: string };
  readonly resource?: { group: string; version: string; resource: string };
  readonly subResource?: string;
}

export function admissionReview(input: ReviewInput) {
  const namespace = input.namespace ?? "app";
  const kind = input.kind ?? { group: "", version: "v1", kind: "Pod" };
  const resource = input.resource ?? { group: "", version: "v1", resource: "pods" };
  return {
    apiVersion: input.apiVersion ?? "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: input.uid ?? randomUUID(),
      kind,
      resource,
      ...(input.subResource ? { subResource: input.subResource } : {}),
      requestKind: kind,
      requestResource: resource,
      name: "",
      namespace,
      operation: input.operation ?? "CREATE",
      userInfo: {
        username: "system:serviceaccount:kube-system:replicaset-controller",
        uid: "3f0b5a6e-5a62-4bb1-9b4c-2f4c7d3b1f10",
        groups: [
          "system:serviceaccounts",
          "system:serviceaccounts:kube-system",
          "system:authenticated",
        ],
      },
      object: input.object,
      oldObject: null,
      dryRun: false,
      options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1" },
    },
  };
}

/** A pod as the ReplicaSet controller creates it, before any webhook. */
export function annotatedPod(
  annotations: Record<string, string> = {},
  opts: { containers?: number; env?: Array<{ name: string; value: string }> } = {},
) {
  const containers = Array.from({ length: opts.containers ?? 1 }, (_, i) => ({
    name: i === 0 ? "app" : `app-${i}`,
    image: "registry.example/app:1.2.3",
    ports: [{ containerPort: 8080 + i, protocol: "TCP" }],
    env: opts.env ?? [],
    resources: {},
    volumeMounts: [
      {
        name: "kube-api-access-abcde",
        readOnly: true,
        mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
      },
    ],
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: "IfNotPresent",
  }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: "web-7d9f8b6c5d-",
      namespace: "app",
      labels: { app: "web", "pod-template-hash": "7d9f8b6c5d" },
      annotations: {
        "vault.hashicorp.com/agent-inject": "true",
        "vault.hashicorp.com/role": "web",
        "vault.hashicorp.com/agent-inject-secret-db.txt": "database/creds/web",
        ...annotations,
      },
    },
    spec: {
      volumes: [
        {
          name: "kube-api-access-abcde",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              {
                configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] },
              },
            ],
          },
        },
      ],
      containers,
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "web",
      serviceAccount: "web",
      securityContext: {},
      schedulerName: "default-scheduler",
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
    },
    status: {},
  };
}
