/**
 * Who may signal whom, as real pods run: the agent signals the app after a
 * render, and a process without CAP_KILL signals only processes of its own
 * uid. The webhook's code (`vaultlet inject`) runs the agent as the target
 * container's uid and gid; these pods show where those come from:
 * - the container's own securityContext wins over the pod's;
 * - an app at the agent's default uid (100) is signalled as it is;
 * - an app that runs as its image's user (no runAsUser anywhere) cannot be
 *   seen at admission: the injection warns, the agent's signal fails with
 *   SIGNAL_NOT_PERMITTED, and the warning's advice (agent-run-as-user) fixes it.
 * (The checkout example, test/cluster/checkout.test.ts, covers ids set on the
 * pod only.) Each app is the test image's checkout script, which logs its uid
 * at start and on every SIGHUP; OpenBao is reached through a relay on the
 * bridge, and the agents log in with jwt auth against the cluster's own keys.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments, stringify } from "yaml";
import { NONROOT } from "../../deploy/images/layout.ts";
import { ensureCheckoutAppImage } from "../support/cluster/app-image.ts";
import type { TestCluster } from "../support/cluster/client.ts";
import { testCluster } from "../support/cluster/client.ts";
import { startRelay, type Relay } from "../support/cluster/relay.ts";
import { ensureVaultletImage } from "../support/cluster/vaultlet-images.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import { trustClusterJwt } from "../support/cluster/vault-trust.ts";
import { vaultletInject } from "../support/cluster/inject.ts";

const A = "vault.hashicorp.com/";
/** the test app image's own USER */
const IMAGE_UID = NONROOT.uid;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Ids {
  runAsUser?: number;
  runAsGroup?: number;
}
interface Injected {
  pod: Obj;
  /** the warnings about the signal (not, e.g., the one about the test's plain-HTTP address) */
  warnings: string[];
}
interface AppLine {
  event: "start" | "SIGHUP";
  uid: number;
  gid: number;
}

let cluster: TestCluster;
let ns: string;
let bao: OpenBaoServer;
let relay: Relay;
let appImage: string;

async function setUpVault(): Promise<void> {
  bao = await startOpenBao();
  await trustClusterJwt(bao, cluster, "kubernetes-jwt");
  await bao.api("POST", "sys/policies/acl/app", {
    policy: 'path "secret/data/app" { capabilities = ["read"] }',
  });
  await bao.api("POST", "auth/kubernetes-jwt/role/app", {
    role_type: "jwt",
    user_claim: "sub",
    bound_audiences: ["vault"],
    bound_subject: `system:serviceaccount:${ns}:app`,
    token_policies: ["app"],
    token_ttl: "15m",
  });
  await bao.kvPut("secret", "app", { colour: "blue" });
}

/** A pod whose agent renders secret/app every second and SIGHUPs the app after each change. */
function appPod(name: string, ids: { pod?: Ids; app?: Ids }, extra: Obj = {}): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      annotations: {
        [`${A}agent-inject`]: "true",
        [`${A}role`]: "app",
        [`${A}auth-type`]: "jwt",
        [`${A}auth-path`]: "auth/kubernetes-jwt",
        [`${A}agent-native-sidecar`]: "true",
        [`${A}agent-inject-secret-config.json`]: "secret/data/app",
        [`${A}agent-inject-template-config.json`]:
          '{{ with secret "secret/data/app" }}{{ .Data.data | toJSON }}{{ end }}',
        [`${A}template-static-secret-render-interval`]: "1s",
        [`${A}agent-inject-signal-config.json`]: "SIGHUP",
        [`${A}agent-inject-signal-process-config.json`]: "checkout",
        ...extra,
      },
    },
    spec: {
      serviceAccountName: "app",
      securityContext: { runAsNonRoot: true, ...ids.pod },
      containers: [
        {
          name: "app",
          image: appImage,
          imagePullPolicy: "Never",
          args: ["--config", "/vault/secrets/config.json"],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            ...ids.app,
          },
        },
      ],
    },
  };
}

/** `vaultlet inject` of one pod: the injected pod and what it printed on stderr. */
async function inject(pod: Obj): Promise<Injected> {
  const { stdout, stderr } = await vaultletInject(stringify(pod), `http://${relay.address}`);
  const warnings = stderr.split("\n").filter((l) => l.includes("agent-inject-signal"));
  return { pod: parseAllDocuments(stdout)[0]!.toJS() as Obj, warnings };
}

function agentOf(pod: Obj): Obj {
  return (pod.spec.initContainers as Obj[]).find((c) => c.name === "vault-agent")!;
}

async function appLines(pod: string): Promise<AppLine[]> {
  const text = await cluster.kubectl(["logs", "-n", ns, pod, "-c", "app"]);
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as AppLine);
}

async function waitFor<T>(
  what: string,
  pod: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      assert.fail(`${pod}: ${what}: not seen after 90 s\n${await cluster.podDiagnostics(ns, pod)}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Starts the injected pod, changes the secret, and returns the app's lines once `until` holds. */
async function runAndChange(
  injected: Obj,
  until: (lines: AppLine[], agentLog: string) => boolean,
): Promise<{ lines: AppLine[]; agentLog: string }> {
  const name = injected.metadata.name as string;
  await cluster.apply(injected, ns);
  await cluster.waitForPod(ns, name, "Ready", 120_000);
  await waitFor("the app's start line", name, async () =>
    (await appLines(name)).find((l) => l.event === "start"),
  );
  await bao.kvPut("secret", "app", { colour: `changed-for-${name}` });
  return waitFor("the agent's signal after the change", name, async () => {
    const lines = await appLines(name);
    const agentLog = await cluster.kubectl(["logs", "-n", ns, name, "-c", "vault-agent"]);
    return until(lines, agentLog) ? { lines, agentLog } : undefined;
  });
}

const hupped = (lines: AppLine[]) => lines.some((l) => l.event === "SIGHUP");

before(async () => {
  cluster = testCluster();
  await ensureVaultletImage(cluster, "agent");
  appImage = await ensureCheckoutAppImage(cluster);
  ns = await cluster.createNamespace("signals");
  await cluster.kubectl(["create", "serviceaccount", "app", "-n", ns]);
  await setUpVault();
  relay = await startRelay(cluster.spec.gateway, {
    host: "127.0.0.1",
    port: Number(new URL(bao.address).port),
  });
});

after(async () => {
  await relay?.stop();
  await cluster?.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
});

test("the container's runAsUser wins over the pod's: the agent runs as the container's ids and its SIGHUP reaches the app", async () => {
  const { pod, warnings } = await inject(
    appPod("container-ids", {
      pod: { runAsUser: 10001, runAsGroup: 1000 },
      app: { runAsUser: 20002, runAsGroup: 2000 },
    }),
  );
  assert.deepEqual(warnings, []);
  const agent = agentOf(pod).securityContext as Obj;
  assert.deepEqual([agent.runAsUser, agent.runAsGroup], [20002, 2000]);
  const { lines } = await runAndChange(pod, hupped);
  const hup = lines.find((l) => l.event === "SIGHUP")!;
  assert.deepEqual([hup.uid, hup.gid], [20002, 2000]);
});

test("an app at the agent's default uid 100 is signalled with no change to the agent's user", async () => {
  const { pod, warnings } = await inject(appPod("default-uid", { app: { runAsUser: 100 } }));
  assert.deepEqual(warnings, []);
  assert.equal(agentOf(pod).securityContext.runAsUser, 100);
  const { lines } = await runAndChange(pod, hupped);
  assert.equal(lines.find((l) => l.event === "SIGHUP")!.uid, 100);
});

test("an app that runs as its image's user: the injection warns, the signal fails with SIGNAL_NOT_PERMITTED, and agent-run-as-user as the warning advises makes it work", async () => {
  const unseen = await inject(appPod("image-user", {}));
  assert.equal(unseen.warnings.length, 1);
  assert.match(unseen.warnings[0]!, /runs as its image's user/);
  assert.match(unseen.warnings[0]!, /set securityContext\.runAsUser/);
  const refused = await runAndChange(unseen.pod, (_, log) => log.includes("SIGNAL_NOT_PERMITTED"));
  assert.ok(!hupped(refused.lines), "the app was signalled across uids");
  assert.equal(refused.lines.find((l) => l.event === "start")!.uid, IMAGE_UID);

  const fixed = await inject(
    appPod("image-user-fixed", {}, { [`${A}agent-run-as-user`]: String(IMAGE_UID) }),
  );
  assert.deepEqual(fixed.warnings, []);
  const { lines } = await runAndChange(fixed.pod, hupped);
  assert.equal(lines.find((l) => l.event === "SIGHUP")!.uid, IMAGE_UID);
});
