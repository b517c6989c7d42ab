/**
 * Where one test cluster keeps its files, and what it was given at `up`.
 *
 * Everything a cluster writes lives under its state directory (binaries and
 * images come from .tools/cluster), so two clusters (two checkouts, or a
 * test's own second cluster) never share a socket, a data dir or a port.
 * Logs stay after `down` so a failed run can still be read; `up` clears them.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";

export interface ClusterLayout {
  stateDir: string;
  logsDir: string;
  pidsDir: string;
  pkiDir: string;
  etcdDir: string;
  containerdDir: string;
  containerdSocket: string;
  containerdConfig: string;
  kubeletRoot: string;
  kubeletConfig: string;
  podLogsDir: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeconfig: string;
  specFile: string;
  envFile: string;
}

export function clusterLayout(stateDir: string): ClusterLayout {
  const containerdDir = join(stateDir, "containerd");
  return {
    stateDir,
    logsDir: join(stateDir, "logs"),
    pidsDir: join(stateDir, "pids"),
    pkiDir: join(stateDir, "pki"),
    etcdDir: join(stateDir, "etcd"),
    containerdDir,
    containerdSocket: join(containerdDir, "containerd.sock"),
    containerdConfig: join(containerdDir, "config.toml"),
    kubeletRoot: join(stateDir, "kubelet"),
    kubeletConfig: join(stateDir, "kubelet-config.yaml"),
    podLogsDir: join(stateDir, "pod-logs"),
    cniConfDir: join(stateDir, "cni", "net.d"),
    cniIpamDir: join(stateDir, "cni", "ipam"),
    kubeconfig: join(stateDir, "admin.kubeconfig"),
    specFile: join(stateDir, "cluster.json"),
    envFile: join(stateDir, "env.sh"),
  };
}

/** The state directory of the checkout at `repoRoot` unless VAULTLET_CLUSTER_DIR names one. */
export function defaultStateDir(repoRoot: string): string {
  const fromEnv = process.env.VAULTLET_CLUSTER_DIR;
  if (fromEnv) return fromEnv;
  const id = createHash("sha256").update(repoRoot).digest("hex").slice(0, 8);
  return `/tmp/vaultlet-cluster-${id}`;
}

/** The log file of a component, named in every error about that component. */
export function componentLog(layout: ClusterLayout, component: string): string {
  return join(layout.logsDir, `${component}.log`);
}

/** What `up` chose for this cluster: addresses, ports, names. Saved as cluster.json. */
export interface ClusterSpec {
  /** Second octet of the cluster's 10.N.0.0/16 network. */
  slot: number;
  /** The bridge's address: API server, kubelet, and the `kubernetes` Service's ClusterIP. */
  gateway: string;
  bridge: string;
  podSubnet: string;
  podRangeStart: string;
  serviceRange: string;
  nodeName: string;
  ports: {
    etcdClient: number;
    etcdPeer: number;
    apiserver: number;
    controllerManager: number;
    scheduler: number;
    kubelet: number;
    kubeletHealthz: number;
  };
}

export function specForSlot(
  slot: number,
  nodeName: string,
  ports: ClusterSpec["ports"],
): ClusterSpec {
  const net = `10.${slot}`;
  return {
    slot,
    gateway: `${net}.0.1`,
    bridge: `vlt${slot}`,
    podSubnet: `${net}.0.0/16`,
    podRangeStart: `${net}.1.2`,
    serviceRange: `${net}.0.0/24`,
    nodeName,
    ports,
  };
}

export function apiServerUrl(spec: ClusterSpec): string {
  return `https://${spec.gateway}:${spec.ports.apiserver}`;
}
