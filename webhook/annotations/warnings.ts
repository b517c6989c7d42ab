import type { AnnotationReader } from "./parse.ts";
import type { InjectionSpec } from "./spec.ts";
import { matchAnnotation, suggestAnnotation } from "./names.ts";
import { A, fullName, PREFIX } from "./table.ts";

/** Unknown `vault.hashicorp.com/*` names are silently ignored by the reference; here kubectl shows them. */
export function unknownAnnotationWarnings(annotations: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(PREFIX) || matchAnnotation(key)) continue;
    const name = key.slice(PREFIX.length);
    const guess = suggestAnnotation(name);
    out.push(
      guess === undefined
        ? `unknown annotation ${key} is ignored`
        : `unknown annotation ${key} is ignored; did you mean ${PREFIX}${guess}?`,
    );
  }
  return out;
}

/** Settings that work but weaken the pod's security. */
export function riskWarnings(spec: InjectionSpec, r: AnnotationReader): string[] {
  const out: string[] = [];
  if (spec.vault.tlsSkipVerify) {
    out.push(
      `${fullName(A.tlsSkipVerify)} is true: the agent will not verify Vault's certificate, so anyone on the network path can read its token and secrets; mount a CA instead (${fullName(A.caCert)} / ${fullName(A.tlsSecret)})`,
    );
  }
  if (!spec.securityContext.set) {
    out.push(
      `${fullName(A.setSecurityContext)} is false: the agent containers get no securityContext and may run as root with all capabilities`,
    );
  } else if (spec.securityContext.runAsUser === 0 || spec.securityContext.runAsGroup === 0) {
    out.push(
      `the agent containers run as root (${spec.securityContext.runAsUser === 0 ? "uid" : "gid"} 0); set ${fullName(A.runAsUser)} and ${fullName(A.runAsGroup)} to non-zero ids`,
    );
  }
  if (
    spec.vault.address.startsWith("http://") &&
    !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(spec.vault.address)
  ) {
    out.push(
      `the Vault address ${spec.vault.address} is plain HTTP: tokens and secrets cross the network unencrypted`,
    );
  }
  if (spec.allowFunctions.length > 0 && spec.agentKind === "vaultlet") {
    out.push(
      `${fullName(A.allowFunctions)} allows ${spec.allowFunctions.join(" and ")}: this pod's templates may ` +
        "write files or run programs in the agent container, beside its Vault token and every secret it renders; " +
        "allow them only for templates you trust (deploy/docs/threat-model.md)",
    );
  }
  if (spec.token.kind === "pod" && !r.has(A.tokenVolumeName)) {
    out.push(
      `the agent logs in with the pod's default service-account token (${spec.token.mountPath}), which the application also holds and the Kubernetes API accepts; without ${fullName(A.projectedToken)}: "false" the agent gets its own token scoped to Vault`,
    );
  }
  return out;
}
