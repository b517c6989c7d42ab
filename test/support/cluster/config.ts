/**
 * The cluster's configuration files and command lines, as pure functions of
 * its layout and spec. Every path points into the state directory: nothing
 * here touches the host's /etc, /var/lib/kubelet, /run/containerd or
 * /var/log/pods.
 */
import { stringify } from "yaml";
import { join } from "node:path";
import type { ClusterLayout, ClusterSpec } from "./layout.ts";
import { apiServerUrl } from "./layout.ts";

export const PAUSE_IMAGE = "vaultlet.local/pause:1";
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The admin, controller-manager, scheduler and kubelet identities (static tokens). */
export interface ClusterTokens {
  admin: string;
  controllerManager: string;
  scheduler: string;
  kubelet: string;
}

export function tokenAuthFile(tokens: ClusterTokens, nodeName: string): string {
  return [
    `${tokens.admin},admin,admin,"system:masters"`,
    `${tokens.controllerManager},system:kube-controller-manager,kcm`,
    `${tokens.scheduler},system:kube-scheduler,sched`,
    `${tokens.kubelet},system:node:${nodeName},node,"system:nodes"`,
    "",
  ].join("\n");
}

export function kubeconfig(spec: ClusterSpec, caFile: string, user: string, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "vaultlet",
        cluster: { server: apiServerUrl(spec), "certificate-authority": caFile },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: "vaultlet", context: { cluster: "vaultlet", user } }],
    "current-context": "vaultlet",
  });
}

export function containerdConfig(layout: ClusterLayout): string {
  const cri = `plugins."io.containerd.grpc.v1.cri"`;
  const dir = layout.containerdDir;
  // restrict_oom_score_adj: the machine lacks CAP_SYS_RESOURCE, and runc fails
  // every sandbox without it. Network namespaces live under the state dir so
  // `down` finds and unmounts them.
  return `version = 2
root = "${join(dir, "root")}"
state = "${join(dir, "state")}"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${layout.containerdSocket}"
[ttrpc]
  address = "${layout.containerdSocket}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${join(dir, "runc")}"
  [${cri}.cni]
    bin_dir = "${process.env.CNI_BIN_DIR ?? "/usr/lib/cni"}"
    conf_dir = "${layout.cniConfDir}"
    max_conf_num = 1
`;
}

/**
 * A bridge network whose only route is its own /16: pods reach this host (the
 * bridge's address) and each other, and nothing else. No masquerading, no
 * default route, no iptables rules.
 */
export function cniConfig(layout: ClusterLayout, spec: ClusterSpec): string {
  const conf = {
    cniVersion: "1.0.0",
    name: `vaultlet-${spec.slot}`,
    plugins: [
      {
        type: "bridge",
        bridge: spec.bridge,
        isGateway: false,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: "host-local",
          dataDir: layout.cniIpamDir,
          ranges: [[{ subnet: spec.podSubnet, rangeStart: spec.podRangeStart }]],
        },
      },
    ],
  };
  return JSON.stringify(conf, null, 2) + "\n";
}

export function kubeletConfig(layout: ClusterLayout, spec: ClusterSpec): string {
  return stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: spec.gateway,
    port: spec.ports.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: spec.ports.kubeletHealthz,
    // cgroup v1 on these machines; no QoS cgroup tree of our own.
    failCgroupV1: false,
    cgroupDriver: "cgroupfs",
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
    podLogsDir: layout.podLogsDir,
    volumePluginDir: join(layout.kubeletRoot, "volume-plugins"),
    clusterDomain: "cluster.local",
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: join(layout.pkiDir, "ca.crt") },
    },
    authorization: { mode: "Webhook" },
    // Images are imported, never pulled: the kubelet must not collect them,
    // nor evict pods over the disk figures this VM cannot report.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      "memory.available": "1Mi",
      "nodefs.available": "0%",
      "imagefs.available": "0%",
      "nodefs.inodesFree": "0%",
    },
    // the default (110) cannot hold the benchmark's two fleets of 100 pods side by side
    maxPods: 250,
    nodeStatusUpdateFrequency: "4s",
    syncFrequency: "10s",
    fileCheckFrequency: "10s",
  });
}

export interface CommandLine {
  component: string;
  binary: string;
  args: string[];
}

export function etcdCommand(layout: ClusterLayout, spec: ClusterSpec, binDir: string): CommandLine {
  const client = `http://127.0.0.1:${spec.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${spec.ports.etcdPeer}`;
  return {
    component: "etcd",
    binary: join(binDir, "etcd"),
    args: [
      "--name=node",
      `--data-dir=${layout.etcdDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=node=${peer}`,
      // A throwaway cluster on a shared disk: durability buys nothing here.
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ],
  };
}

export function apiServerCommand(
  layout: ClusterLayout,
  spec: ClusterSpec,
  binDir: string,
): CommandLine {
  const pki = (name: string) => join(layout.pkiDir, name);
  return {
    component: "kube-apiserver",
    binary: join(binDir, "kube-apiserver"),
    args: [
      `--etcd-servers=http://127.0.0.1:${spec.ports.etcdClient}`,
      `--bind-address=${spec.gateway}`,
      `--advertise-address=${spec.gateway}`,
      `--secure-port=${spec.ports.apiserver}`,
      `--service-cluster-ip-range=${spec.serviceRange}`,
      // No second API server and no kube-proxy: nothing maintains the
      // `kubernetes` Service's endpoints; its ClusterIP is the bridge address.
      "--endpoint-reconciler-type=none",
      `--tls-cert-file=${pki("apiserver.crt")}`,
      `--tls-private-key-file=${pki("apiserver.key")}`,
      `--client-ca-file=${pki("ca.crt")}`,
      `--token-auth-file=${pki("tokens.csv")}`,
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultTolerationSeconds,NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota",
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${pki("sa.pub")}`,
      `--service-account-signing-key-file=${pki("sa.key")}`,
      `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
      // Webhooks registered through a Service are called on its endpoints
      // (pod IPs on the bridge): there is no kube-proxy.
      "--enable-aggregator-routing=true",
      "--kubelet-preferred-address-types=InternalIP",
      `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
      `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
      "--allow-privileged=true",
      "--profiling=false",
      `--cert-dir=${pki("apiserver-certs")}`,
    ],
  };
}

export function controllerManagerCommand(
  layout: ClusterLayout,
  spec: ClusterSpec,
  binDir: string,
): CommandLine {
  const kubeconfigFile = join(layout.pkiDir, "controller-manager.kubeconfig");
  return {
    component: "kube-controller-manager",
    binary: join(binDir, "kube-controller-manager"),
    args: [
      `--kubeconfig=${kubeconfigFile}`,
      `--authentication-kubeconfig=${kubeconfigFile}`,
      `--authorization-kubeconfig=${kubeconfigFile}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${spec.ports.controllerManager}`,
      `--cert-dir=${join(layout.pkiDir, "controller-manager-certs")}`,
      "--leader-elect=false",
      "--use-service-account-credentials=true",
      `--root-ca-file=${join(layout.pkiDir, "ca.crt")}`,
      `--service-account-private-key-file=${join(layout.pkiDir, "sa.key")}`,
      `--service-cluster-ip-range=${spec.serviceRange}`,
      "--profiling=false",
    ],
  };
}

export function schedulerCommand(
  layout: ClusterLayout,
  spec: ClusterSpec,
  binDir: string,
): CommandLine {
  const kubeconfigFile = join(layout.pkiDir, "scheduler.kubeconfig");
  return {
    component: "kube-scheduler",
    binary: join(binDir, "kube-scheduler"),
    args: [
      `--kubeconfig=${kubeconfigFile}`,
      `--authentication-kubeconfig=${kubeconfigFile}`,
      `--authorization-kubeconfig=${kubeconfigFile}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${spec.ports.scheduler}`,
      `--cert-dir=${join(layout.pkiDir, "scheduler-certs")}`,
      "--leader-elect=false",
      "--profiling=false",
    ],
  };
}

export function containerdCommand(layout: ClusterLayout): CommandLine {
  return {
    component: "containerd",
    binary: "containerd",
    args: ["--config", layout.containerdConfig],
  };
}

export function kubeletCommand(
  layout: ClusterLayout,
  spec: ClusterSpec,
  binDir: string,
): CommandLine {
  return {
    component: "kubelet",
    binary: join(binDir, "kubelet"),
    args: [
      `--config=${layout.kubeletConfig}`,
      `--kubeconfig=${join(layout.pkiDir, "kubelet.kubeconfig")}`,
      `--root-dir=${layout.kubeletRoot}`,
      `--cert-dir=${join(layout.kubeletRoot, "pki")}`,
      `--hostname-override=${spec.nodeName}`,
      `--node-ip=${spec.gateway}`,
    ],
  };
}
