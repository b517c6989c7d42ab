import { isObject } from "../../shared/own.ts";

/**
 * Where each workload kind keeps its pod template. A Pod is its own template;
 * a CronJob's is two levels down. Lists hold items of any of these kinds.
 */
export const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** `kind: List` and typed lists such as `DeploymentList` carry their objects in `items`. */
export function isListKind(kind: unknown): boolean {
  return typeof kind === "string" && kind.endsWith("List");
}

export type Json = Record<string, unknown>;

export { isObject };

export function getPath(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === "number") node = node[key];
    else if (isObject(node) && typeof key === "string") node = node[key];
    else return undefined;
  }
  return node;
}

/** "Deployment/web" (or "Deployment/(unnamed)") for messages. */
export function objectLabel(obj: Json): string {
  const meta = isObject(obj["metadata"]) ? obj["metadata"] : {};
  const name = typeof meta["name"] === "string" ? meta["name"] : "(unnamed)";
  return `${typeof obj["kind"] === "string" ? obj["kind"] : "(no kind)"}/${name}`;
}
