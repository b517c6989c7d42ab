/**
 * `down` leaves nothing behind, even after an interrupted run: a second
 * cluster (its own state directory, bridge and ports, beside the shared one)
 * runs a pod on the pod network, every component is then SIGKILLed as an
 * interrupted run would leave them (containers, shims, overlay and shm
 * mounts, the kubelet's volume mounts and the network namespace stay), and
 * `down` (which `up` also runs first) must clear all of it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { down, up } from "../support/cluster/cluster.ts";
import { openCluster, PROBE_IMAGE } from "../support/cluster/client.ts";
import { componentPid, processTable, signal, waitGone } from "../support/cluster/processes.ts";
import { bridgeExists, clusterProcesses, mountsUnder } from "../support/cluster/teardown.ts";

const COMPONENTS = [
  "kubelet",
  "containerd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "etcd",
];

function required(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run through test/scripts/test.sh (setup.sh exports it)`);
  return value;
}

test("down after an interrupted run leaves no process, mount, network namespace or bridge", async (t) => {
  const stateDir = mkdtempSync("/tmp/vaultlet-cluster-teardown-");
  t.after(async () => {
    await down(stateDir).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });
  const layout = await up({
    stateDir,
    binDir: required("CLUSTER_BIN_DIR"),
    imagesDir: required("CLUSTER_IMAGES_DIR"),
  });
  const cluster = openCluster(stateDir);
  await cluster.apply(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "left-behind" },
      spec: {
        terminationGracePeriodSeconds: 30,
        containers: [
          { name: "sleep", image: PROBE_IMAGE, imagePullPolicy: "Never", args: ["sleep"] },
        ],
      },
    },
    "default",
  );
  await cluster.waitForPod("default", "left-behind", "Running");
  const spec = cluster.spec;

  const mounts = mountsUnder(stateDir);
  assert.ok(
    mounts.some((m) => m.includes("/netns/")),
    `no network namespace among ${mounts.join(", ")}`,
  );
  assert.ok(
    mounts.some((m) => m.endsWith("/rootfs")),
    `no container root filesystem among ${mounts.join(", ")}`,
  );

  const pids = COMPONENTS.map((c) => componentPid(layout, c)).filter((p) => p !== undefined);
  for (const pid of pids) signal(pid, "SIGKILL");
  await waitGone(pids, 10_000);
  assert.ok(
    clusterProcesses(layout, processTable()).length > 0,
    "the pod's shim and container should outlive the components",
  );

  await down(stateDir);

  assert.deepEqual(clusterProcesses(layout, processTable()), []);
  assert.deepEqual(mountsUnder(stateDir), []);
  assert.equal(bridgeExists(spec.bridge), false);
  assert.deepEqual(readdirSync(stateDir), ["logs"]);
  assert.ok(existsSync(join(stateDir, "logs", "kubelet.log")));
});
