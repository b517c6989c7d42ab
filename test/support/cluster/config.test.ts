/**
 * The cluster's generated configuration keeps everything inside its state
 * directory and its own network: no host-wide kubelet, containerd or pod-log
 * paths, no route or masquerading beyond the bridge, and the `kubernetes`
 * Service's ClusterIP (first address of the service range) is where the API
 * server listens.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import * as config from "./config.ts";
import { clusterLayout, specForSlot } from "./layout.ts";

const layout = clusterLayout("/tmp/vaultlet-cluster-unit");
const ports = {
  etcdClient: 1001,
  etcdPeer: 1002,
  apiserver: 443,
  controllerManager: 1003,
  scheduler: 1004,
  kubelet: 1005,
  kubeletHealthz: 1006,
};
const spec = specForSlot(217, "vaultlet-node", ports);
const HOST_PATHS = [
  "/var/lib/kubelet",
  "/var/lib/containerd",
  "/run/containerd",
  "/var/log/pods",
  "/etc/cni",
];

test("containerd and kubelet configuration name no host-wide state path", () => {
  const texts = [config.containerdConfig(layout), config.kubeletConfig(layout, spec)];
  for (const text of texts) {
    for (const hostPath of HOST_PATHS)
      assert.ok(!text.includes(hostPath), `${hostPath} in:\n${text}`);
  }
  const kubelet = parse(config.kubeletConfig(layout, spec)) as Record<string, unknown>;
  assert.equal(kubelet.podLogsDir, "/tmp/vaultlet-cluster-unit/pod-logs");
  assert.equal(
    kubelet.containerRuntimeEndpoint,
    "unix:///tmp/vaultlet-cluster-unit/containerd/containerd.sock",
  );
  assert.match(config.containerdConfig(layout), /netns_mounts_under_state_dir = true/);
  assert.match(config.containerdConfig(layout), /restrict_oom_score_adj = true/);
});

test("the pod network routes only its own /16, without masquerading", () => {
  const cni = JSON.parse(config.cniConfig(layout, spec)) as {
    plugins: {
      bridge: string;
      isGateway: boolean;
      ipMasq: boolean;
      ipam: Record<string, unknown>;
    }[];
  };
  const bridge = cni.plugins[0]!;
  assert.equal(bridge.bridge, "vlt217");
  assert.equal(bridge.isGateway, false);
  assert.equal(bridge.ipMasq, false);
  assert.equal(bridge.ipam.routes, undefined);
  assert.deepEqual(bridge.ipam.ranges, [[{ subnet: "10.217.0.0/16", rangeStart: "10.217.1.2" }]]);
});

test("the API server listens on the kubernetes Service's ClusterIP and port", () => {
  const args = config.apiServerCommand(layout, spec, "/bin").args;
  assert.ok(args.includes("--bind-address=10.217.0.1"));
  assert.ok(args.includes("--secure-port=443"));
  assert.ok(args.includes("--service-cluster-ip-range=10.217.0.0/24"));
  assert.ok(args.includes("--enable-aggregator-routing=true"));
  assert.ok(
    args.some(
      (a) => a.startsWith("--enable-admission-plugins=") && a.includes("MutatingAdmissionWebhook"),
    ),
  );
});

test("the token file gives the admin system:masters and the kubelet its node identity", () => {
  const tokens = { admin: "a", controllerManager: "c", scheduler: "s", kubelet: "k" };
  const lines = config.tokenAuthFile(tokens, "vaultlet-node").trim().split("\n");
  assert.deepEqual(lines, [
    'a,admin,admin,"system:masters"',
    "c,system:kube-controller-manager,kcm",
    "s,system:kube-scheduler,sched",
    'k,system:node:vaultlet-node,node,"system:nodes"',
  ]);
});
