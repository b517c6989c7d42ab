import type { AnnotationReader } from "./parse.ts";
import type { InjectionSpec } from "./spec.ts";
import { A, fullName } from "./table.ts";

/**
 * Which agent the pod's agent image runs. vaultlet's agent reads Vault
 * Agent's config plus its own keys; HashiCorp Vault's and OpenBao's images
 * run `vault agent` / `bao agent`, which refuse any key they do not know
 * ("'config.TemplateConfig' has invalid keys: signal") and so crash-loop.
 * For those images the webhook writes only Vault Agent's keys, and says at
 * admission what the pod asked for that such an agent cannot do.
 */
export type AgentKind = "vaultlet" | "vault";

/** The repository's last path segment, without registry, tag or digest. */
function imageName(image: string): string {
  const noDigest = image.split("@")[0]!;
  const lastSlash = noDigest.lastIndexOf("/");
  const lastColon = noDigest.lastIndexOf(":");
  const repo = lastColon > lastSlash ? noDigest.slice(0, lastColon) : noDigest;
  return repo.slice(repo.lastIndexOf("/") + 1).toLowerCase();
}

/** Vault's and OpenBao's images by name (vault, vault-enterprise, openbao, bao ...); anything else is vaultlet's. */
export function agentKindOf(image: string): AgentKind {
  const name = imageName(image);
  return /^(vault|openbao|bao)(-[a-z0-9-]+)?$/.test(name) ? "vault" : "vaultlet";
}

const BECAUSE = (spec: InjectionSpec) => `the agent image "${spec.image}" runs Vault Agent, which`;

/** What a Vault Agent image cannot do at all: the pod is refused, with the reason. */
export function vaultAgentProblems(r: AnnotationReader, spec: InjectionSpec): void {
  if (spec.agentKind !== "vault") return;
  for (const s of spec.secrets) {
    if (s.engine === "handlebars") {
      r.problem(
        `${fullName(A.engine, s.rawName)}: ${BECAUSE(spec)} has no handlebars engine; write the template in Go template syntax, or use vaultlet's agent image`,
      );
    }
  }
}

/** What a Vault Agent image leaves out: the config omits it, kubectl shows why. */
export function vaultAgentWarnings(spec: InjectionSpec): string[] {
  if (spec.agentKind !== "vault") return [];
  const out: string[] = [];
  for (const s of spec.secrets) {
    if (s.signal !== undefined) {
      out.push(
        `${fullName(A.signal, s.rawName)} is left out: ${BECAUSE(spec)} cannot signal a process; use ${fullName(A.command, s.rawName)}, or vaultlet's agent image`,
      );
    }
  }
  if (spec.revokeOnShutdown) {
    out.push(
      `${fullName(A.revokeOnShutdown)} is left out: ${BECAUSE(spec)} does not revoke its token and leases on shutdown`,
    );
  }
  if (spec.allowFunctions.length > 0) {
    out.push(
      `${fullName(A.allowFunctions)} is left out: ${BECAUSE(spec)} runs writeToFile and plugin in every template, with no setting to turn them off`,
    );
  }
  if (spec.nativeSidecar && spec.prePopulate) {
    out.push(
      `${fullName(A.nativeSidecar)}: ${BECAUSE(spec)} has no readiness endpoint, so the native sidecar gets no startup probe and the app may start before its secrets are rendered`,
    );
  }
  return out;
}
