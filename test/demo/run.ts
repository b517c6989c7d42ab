/**
 * `npm run demo`: vaultlet in real pods on a single-node Kubernetes on this
 * machine (test/support/cluster), as a user would run it.
 *
 *  1. vaultlet's images and the cluster, built or started only when missing;
 *  2. a real OpenBao and PostgreSQL on this host, reached by the pods
 *     through a relay on the cluster's bridge address;
 *  3. the Vault side of deploy/examples/vault: the example's own mounts.sh
 *     and roles.sh, jwt auth trusting the cluster's published keys, a KV v2
 *     secret, a database role with short leases;
 *  4. `helm install` of deploy/chart/vaultlet: the webhook's pods elect a
 *     leader, which creates the TLS Secret and the caBundle;
 *  5. `kubectl apply` of deploy/examples/kubernetes/checkout.yaml: the API
 *     server sends the pods to the webhook, the kubelet runs the agent as a
 *     native sidecar and holds the app until the first render;
 *  6. `kubectl get pods`, the containers' own logs, the rendered files;
 *  7. a KV change and a database credential replacement, each ending with
 *     the app's SIGHUP in its own log.
 * Secret values are never printed: only lengths and fingerprints.
 *
 *   npm run demo            the cluster stays up afterwards: the next run takes under a minute
 *   npm run demo -- --down  also stops the cluster at the end
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { startRelay, type Relay } from "../support/cluster/relay.ts";
import type { TestCluster } from "../support/cluster/client.ts";
import { trustClusterJwt } from "../support/cluster/vault-trust.ts";
import { runExampleVaultScripts } from "../deploy/example-vault.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import {
  configureDatabaseEngine,
  pgLogin,
  startPostgres,
  type PostgresServer,
} from "../support/postgres.ts";
import { createConsole } from "./console.ts";
import {
  APP_NS,
  appLines,
  checkoutManifest,
  checkoutPods,
  clearLeftovers,
  helm,
  installChart,
  readInPod,
  RELEASE,
  templatePod,
  waitForAppLine,
  webhookState,
  WEBHOOK_NS,
  type AppLine,
} from "./kube.ts";
import { fingerprint, maskEnvFile, maskJson } from "./mask.ts";
import { summarise } from "./pod.ts";
import { prepare } from "./prepare.ts";

/** Database leases this short show a replacement within the demo. */
const DB_TTL = "8s";
/** The example re-reads KV every minute; the demo every 2 s, so no one waits. */
const RENDER_INTERVAL = "2s";
const WAIT_MS = 90_000;
const DOWN = process.argv.includes("--down");
/**
 * For test/demo/demo.test.ts only: a file (mode 0600) that receives the secret
 * values the demo handled, so the test can prove none of them was printed.
 */
const SECRETS_OUT = process.env["VAULTLET_DEMO_SECRETS_FILE"];

interface Running {
  cluster?: TestCluster;
  bao?: OpenBaoServer;
  pg?: PostgresServer;
  relay?: Relay;
  installed?: boolean;
}

const out = createConsole(10);
const running: Running = {};
/** every secret value the demo handles, to prove none was printed */
const secretsSeen = new Set<string>();

async function main(): Promise<void> {
  out.step("Preparing: vaultlet's images and a single-node Kubernetes on this machine");
  // OpenBao and PostgreSQL start meanwhile: they need neither
  const servers = Promise.all([
    startOpenBao({ autoTeardown: false }),
    startPostgres({ autoTeardown: false }),
  ]);
  servers.catch(() => undefined);
  const { cluster, appImage } = await prepare(out);
  running.cluster = cluster;
  const left = await clearLeftovers(cluster);
  if (left.length) out.detail(`removed namespaces an earlier run left: ${left.join(", ")}`);
  // The relay dials OpenBao's port when a pod connects, so it can start now,
  // and the chart (it needs only the address) installs while OpenBao starts.
  const baoTarget = { host: "127.0.0.1", port: 0 };
  const relay = await startRelay(cluster.spec.gateway, baoTarget);
  running.relay = relay;
  const vaultAddress = `http://${relay.address}`;
  running.installed = true;
  const install = installChart(cluster, vaultAddress);
  install.catch(() => undefined);

  out.step("Starting OpenBao and PostgreSQL on this host");
  const [bao, pg] = await servers;
  Object.assign(running, { bao, pg });
  baoTarget.port = Number(new URL(bao.address).port);
  remember(bao.rootToken);
  remember(pg.password);
  out.detail(`OpenBao    ${bao.address} (dev server, pid ${bao.pid})`);
  out.detail(`PostgreSQL ${pg.host}:${pg.port} database ${pg.database}`);
  out.detail(`pods reach OpenBao at ${vaultAddress} (a relay on the cluster's bridge)`);

  out.step("Configuring the Vault side (deploy/examples/vault)");
  await configureVault(bao, pg, cluster);

  await webhookSteps(cluster, vaultAddress, install);
  const pods = await checkoutSteps(cluster, appImage);
  const first = await filesStep(cluster, pods[0]!, pg);
  await rotationStep(cluster, pods, bao);
  await credentialStep(cluster, pods[0]!, pg, first);
}

async function configureVault(bao: OpenBaoServer, pg: PostgresServer, cluster: TestCluster) {
  await runExampleVaultScripts(bao);
  out.detail("mounts.sh and roles.sh: secret/ (KV v2), database/, auth/kubernetes-jwt, policies,");
  out.detail('  role checkout: audience "vault", only system:serviceaccount:shop:checkout');
  const { issuer } = await trustClusterJwt(bao, cluster);
  out.detail(`auth/kubernetes-jwt trusts the cluster's keys (/openid/v1/jwks, issuer ${issuer})`);
  const key = `pk_live_${randomBytes(12).toString("hex")}`;
  remember(key);
  await bao.kvPut("secret", "shop/checkout", {
    payment_api_key: key,
    currency: "EUR",
    feature_flags: "fast-checkout",
  });
  out.detail("KV v2 secret secret/shop/checkout (payment_api_key, currency, feature_flags)");
  // database.sh wants PostgreSQL on 5432 with TLS: the demo's own server takes its place
  await bao.api("DELETE", "sys/mounts/database");
  await configureDatabaseEngine(bao, pg, { role: "checkout", defaultTtl: DB_TTL, maxTtl: DB_TTL });
  out.detail(`database/roles/checkout: a new PostgreSQL login per lease, max_ttl ${DB_TTL}`);
}

async function webhookSteps(
  cluster: TestCluster,
  vaultAddress: string,
  install: Promise<void>,
): Promise<void> {
  out.step("Installing the webhook: helm install vaultlet deploy/chart/vaultlet");
  out.detail(`$ helm install ${RELEASE} deploy/chart/vaultlet -n ${WEBHOOK_NS} --wait \\`);
  out.detail(`    --set vault.address=${vaultAddress}`);
  out.detail("(started while OpenBao and PostgreSQL were starting)");
  await install;
  out.detail(`$ kubectl get pods -n ${WEBHOOK_NS}`);
  showLines(await cluster.kubectl(["get", "pods", "-n", WEBHOOK_NS]));
  const state = await webhookState(cluster);
  out.detail(`leader (Lease vaultlet-webhook-leader): ${state.holder}`);
  out.detail(`TLS Secret vaultlet-webhook-certs created by the leader: ${state.secret.join(", ")}`);
  out.detail(
    `caBundle written into MutatingWebhookConfiguration "${RELEASE}" (${state.cas} CA certificate)`,
  );
}

async function checkoutSteps(cluster: TestCluster, appImage: string): Promise<string[]> {
  out.step(
    "Deploying the checkout example: kubectl apply -f deploy/examples/kubernetes/checkout.yaml",
  );
  out.detail(`app image ${appImage} (a small app that logs each SIGHUP);`);
  out.detail(
    `static-secret render interval ${RENDER_INTERVAL} instead of 1m, to keep the demo short`,
  );
  await cluster.apply(checkoutManifest(appImage, RENDER_INTERVAL));
  const status = await cluster
    .kubectl(["rollout", "status", "deployment/checkout", "-n", APP_NS, "--timeout=180s"])
    .catch(async (err: Error) => {
      const pods = await checkoutPods(cluster).catch(() => []);
      const why = await Promise.all(
        pods.map((p) => cluster.podDiagnostics(APP_NS, p.metadata.name)),
      );
      throw new Error(`checkout did not roll out: ${err.message}\n${why.join("\n")}`);
    });
  out.detail(status.trim());
  const pods = await checkoutPods(cluster);

  out.step("What the API server and the kubelet made of it");
  out.detail(`$ kubectl get pods -n ${APP_NS}`);
  showLines(await cluster.kubectl(["get", "pods", "-n", APP_NS]));
  out.detail(`the webhook's patch, as the pod ${pods[0]!.metadata.name} shows it:`);
  for (const line of summarise(templatePod(), pods[0]!)) out.detail(`  ${line}`);
  const names = pods.map((p) => p.metadata.name as string);
  out.detail(`$ kubectl logs -n ${APP_NS} ${names[0]} -c vault-agent`);
  const agentLog = await cluster.kubectl(["logs", "-n", APP_NS, names[0]!, "-c", "vault-agent"]);
  showLines(agentLog, 12);
  out.detail(`$ kubectl logs -n ${APP_NS} ${names[0]} -c checkout`);
  showLines(await cluster.kubectl(["logs", "-n", APP_NS, names[0]!, "-c", "checkout"]));
  return names;
}

async function filesStep(cluster: TestCluster, pod: string, pg: PostgresServer) {
  out.step("The rendered files in /vault/secrets (tmpfs; secret values hidden)");
  const config = await readInPod(cluster, pod, "/vault/secrets/config.json");
  const { db, who } = await loginWithDbEnv(cluster, pod, pg);
  showFile("db.env", maskEnvFile(serialiseEnv(db)));
  showFile("config.json", maskJson(config));
  out.detail(`PostgreSQL login with db.env's credentials: current_user = ${who}`);
  return db;
}

/**
 * Reads db.env in the pod and logs in to PostgreSQL with it. The agent
 * replaces the login every few seconds and OpenBao revokes the old one when
 * its lease ends: a login read just before a replacement may be dead when
 * tried, so a failure counts only if db.env still holds the same login.
 */
async function loginWithDbEnv(cluster: TestCluster, pod: string, pg: PostgresServer) {
  for (let attempt = 1; ; attempt++) {
    const db = parseEnv(await readInPod(cluster, pod, "/vault/secrets/db.env"));
    remember(db.DB_PASSWORD);
    try {
      const who = await pgLogin(pg, { username: db.DB_USER!, password: db.DB_PASSWORD! });
      return { db, who };
    } catch (err) {
      const now = parseEnv(await readInPod(cluster, pod, "/vault/secrets/db.env"));
      if (now.DB_USER === db.DB_USER || attempt === 3) throw err;
    }
  }
}

async function rotationStep(cluster: TestCluster, pods: string[], bao: OpenBaoServer) {
  out.step("Changing the KV secret secret/shop/checkout");
  const newKey = `pk_live_${randomBytes(12).toString("hex")}`;
  remember(newKey);
  const before = new Map<string, string | undefined>();
  for (const pod of pods) before.set(pod, configSha(await appLines(cluster, pod)));
  await bao.kvPut("secret", "shop/checkout", {
    payment_api_key: newKey,
    currency: "EUR",
    feature_flags: "fast-checkout",
  });
  out.detail(
    "new payment_api_key written (version 2); each agent re-renders, then signals its app",
  );
  for (const pod of pods) {
    const hup = await waitForAppLine(
      cluster,
      pod,
      `${pod}: the app's SIGHUP after the KV change`,
      (l) => l.event === "SIGHUP" && configSha([l]) !== before.get(pod),
      WAIT_MS,
    );
    out.detail(`$ kubectl logs -n ${APP_NS} ${pod} -c checkout   (the SIGHUP line)`);
    showLines(JSON.stringify(hup));
    out.detail(`${pod}: checkout app received SIGHUP #${hup.hups}, running as uid ${hup.uid}`);
  }
  showFile(
    "config.json",
    maskJson(await readInPod(cluster, pods[0]!, "/vault/secrets/config.json")),
  );
}

async function credentialStep(
  cluster: TestCluster,
  pod: string,
  pg: PostgresServer,
  first: Record<string, string>,
) {
  out.step(`Waiting for the database login to be replaced (lease max_ttl ${DB_TTL})`);
  const seen = (await appLines(cluster, pod)).length;
  const hup = await waitForAppLine(
    cluster,
    pod,
    `${pod}: the app's SIGHUP after a new database login`,
    (l, i) => i >= seen && l.event === "SIGHUP",
    WAIT_MS,
  );
  const { db: now, who } = await loginWithDbEnv(cluster, pod, pg);
  out.detail(`db.env re-rendered with a new login: ${first.DB_USER} -> ${now.DB_USER}`);
  showFile("db.env", maskEnvFile(serialiseEnv(now)));
  out.detail(`${pod}: checkout app received SIGHUP #${hup.hups}`);
  out.detail(`PostgreSQL login with the new credentials: current_user = ${who}`);
}

function configSha(lines: AppLine[]): string | undefined {
  return lines.at(-1)?.files.find((f) => f.file.endsWith("config.json"))?.sha;
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function serialiseEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}

function remember(value: string | undefined): void {
  if (value) secretsSeen.add(value);
}

function showLines(text: string, last?: number): void {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const shown = last !== undefined && lines.length > last ? lines.slice(-last) : lines;
  if (shown.length < lines.length) out.detail(`  | (${lines.length - shown.length} earlier lines)`);
  for (const line of shown) out.detail(`  | ${line}`);
}

function showFile(name: string, masked: string): void {
  out.detail(`/vault/secrets/${name} (in the pod):`);
  for (const line of masked.split("\n")) if (line !== "") out.detail(`  | ${line}`);
}

async function cleanUp(): Promise<string[]> {
  if (SECRETS_OUT) writeFileSync(SECRETS_OUT, JSON.stringify([...secretsSeen]), { mode: 0o600 });
  const done: string[] = [];
  const cluster = running.cluster;
  if (cluster && running.installed) {
    const ns = (name: string) =>
      cluster.kubectl(["delete", "namespace", name, "--wait=false"]).catch(() => "");
    const uninstall = () => helm(cluster, ["uninstall", RELEASE, "-n", WEBHOOK_NS]).catch(() => "");
    await Promise.all([ns(APP_NS), uninstall().then(() => ns(WEBHOOK_NS))]);
    done.push(`helm uninstall ${RELEASE}; namespaces ${APP_NS} and ${WEBHOOK_NS} deleted`);
  }
  await running.relay?.stop();
  await Promise.allSettled([running.bao?.stop(), running.pg?.stop()]);
  done.push("stopped OpenBao, PostgreSQL and the relay");
  return done;
}

function clusterNote(): string[] {
  if (process.env["VAULTLET_CLUSTER_DIR"] && !DOWN) {
    return ["the cluster (VAULTLET_CLUSTER_DIR) is left to whoever started it"];
  }
  return [
    "the cluster stays up, so the next `npm run demo` takes under a minute;",
    "stop it with: node test/support/cluster/cli.ts down   (or run the demo with -- --down)",
  ];
}

let code = 0;
try {
  await main();
  out.step("Cleaning up");
  for (const line of await cleanUp()) out.detail(line);
  if (DOWN) {
    const { down } = await import("../support/cluster/cluster.ts");
    await down(running.cluster!.layout.stateDir);
    out.detail("stopped the cluster");
  } else {
    for (const line of clusterNote()) out.detail(line);
  }
  out.done();
} catch (err) {
  code = 1;
  const message = err instanceof Error ? err.message : String(err);
  let text = `\nDemo failed: ${message}\n`;
  for (const s of secretsSeen) text = text.split(s).join(fingerprint(s));
  process.stderr.write(text);
  await cleanUp().catch(() => []);
  for (const line of clusterNote()) process.stderr.write(`${line}\n`);
}
process.exit(code);
