import { parseAllDocuments } from "yaml";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Service } from "kubernetes-models/v1/Service";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { MutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";

/** A rendered Kubernetes object, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { apiVersion: string; kind: string; metadata: any; [k: string]: any };

/** Every kind the chart may render, with its schema model. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/ServiceAccount": ServiceAccount,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": MutatingWebhookConfiguration,
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
};

export function parseObjects(yamlText: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
    const value = doc.toJSON() as K8sObject | null;
    if (value !== null) out.push(value);
  }
  return out;
}

/** Validates one object against its Kubernetes schema; throws naming the object and the error. */
export function validateObject(obj: K8sObject): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model)
    throw new Error(
      `no schema for ${obj.apiVersion} ${obj.kind}: the chart renders a kind this test does not know`,
    );
  try {
    new Model(obj as never).validate();
  } catch (err) {
    throw new Error(`${obj.kind}/${obj.metadata?.name} is invalid: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as K8sObject;
}
