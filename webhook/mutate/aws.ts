import type { InjectionSpec } from "../annotations/spec.ts";
import type { EnvVar, Pod, VolumeMount } from "../pod.ts";
import { containersOf } from "../pod.ts";

/**
 * EKS IAM roles for service accounts: with `auth-type: aws` the agent needs
 * the web-identity token the EKS webhook mounted into the app and the AWS_*
 * variables it set, exactly as the reference injector copies them.
 */
const AWS_ENV = ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_DEFAULT_REGION", "AWS_REGION"];

export function awsTokenMount(spec: InjectionSpec, pod: Pod): VolumeMount | undefined {
  if (spec.auth.type !== "aws") return undefined;
  for (const c of containersOf(pod)) {
    const m = (c.volumeMounts ?? []).find((vm) => vm.mountPath.includes("eks.amazonaws.com"));
    if (m) return { name: m.name, mountPath: m.mountPath, readOnly: true };
  }
  return undefined;
}

export function awsEnv(spec: InjectionSpec, pod: Pod): EnvVar[] {
  if (spec.auth.type !== "aws") return [];
  const found = new Map<string, string>();
  for (const c of containersOf(pod)) {
    for (const e of c.env ?? []) {
      if (AWS_ENV.includes(e.name) && !found.has(e.name) && typeof e.value === "string")
        found.set(e.name, e.value);
    }
  }
  const region = spec.auth.config.region;
  if (region) found.set("AWS_REGION", region);
  return [...found].map(([name, value]) => ({ name, value }));
}
