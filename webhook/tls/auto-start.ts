import { KubeConfig } from "@kubernetes/client-node";
import { autoTlsSource, type AutoTlsOptions } from "./auto.ts";
import { kubeApis } from "./kube.ts";
import type { TlsSource } from "./material.ts";

/**
 * Automatic TLS with the API clients from the pod's service account (or the
 * local kubeconfig). A module of its own so the webhook loads the Kubernetes
 * client and node-forge only when automatic TLS is on: a webhook serving
 * certificates from files never holds them in memory.
 */
export function startAutoTls(opts: Omit<AutoTlsOptions, "apis">): TlsSource {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return autoTlsSource({ ...opts, apis: kubeApis(kc) });
}
