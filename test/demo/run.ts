/**
 * `npm run demo`: the whole vaultlet flow on one machine, in under a minute.
 *
 *  1. a real OpenBao and a real PostgreSQL on loopback;
 *  2. the Vault side of deploy/examples: jwt auth trusting a local key pair
 *     that stands in for the cluster's service-account token issuer, the
 *     checkout role and policy, a KV v2 secret, a database role with a short
 *     max_ttl;
 *  3. `vaultlet webhook` over HTTPS with automatic TLS (its CA bundle goes to a
 *     local STAND-IN for the Kubernetes API, not a cluster);
 *  4. the checkout pod of deploy/examples/kubernetes/checkout.yaml sent to it
 *     as an AdmissionReview;
 *  5. the injected agent run exactly as the patched pod spec says (its
 *     command and VAULT_CONFIG, with the pod's paths mapped under a temporary
 *     directory), then the app, a KV rotation with the app's SIGHUP, and the
 *     database login replaced before its lease ends.
 * Secret values are never printed: only lengths and fingerprints.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createJwtSigner, KUBERNETES_ISSUER } from "../support/jwt-signer.ts";
import type { JwtSigner } from "../support/jwt-signer.ts";
import { startK8sApiStandin, type K8sApiStandin } from "../support/k8s-api-standin.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import {
  configureDatabaseEngine,
  pgLogin,
  startPostgres,
  type PostgresServer,
} from "../support/postgres.ts";
import {
  freePort,
  makeTempDir,
  removeTempDir,
  spawnTracked,
  waitUntil,
  type TrackedProcess,
} from "../support/processes.ts";
import { createConsole } from "./console.ts";
import { fingerprint, maskEnvFile, maskJson } from "./mask.ts";
import {
  admissionReview,
  agentOf,
  applyPatch,
  checkoutPod,
  mapToLocal,
  outcomeOf,
  summarise,
} from "./pod.ts";
import { postJson, waitForCaBundle } from "./webhook.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "deploy/cli/bin.ts");
const EXAMPLES = join(ROOT, "deploy/examples");
const NAMESPACE = "shop";
const SERVICE_ACCOUNT = "checkout";
const WEBHOOK_CONFIG = "vaultlet";
/** Database leases this short show a replacement within the demo. */
const DB_TTL = "8s";
/** The example re-reads KV every minute; the demo every 2 s, so no one waits. */
const DEMO_STATIC_RENDER_INTERVAL = "2s";
const WAIT_MS = 30_000;
/**
 * For test/demo/demo.test.ts only: a file (mode 0600) that receives the secret
 * values the demo handled, so the test can prove none of them was printed.
 */
const SECRETS_OUT = process.env["VAULTLET_DEMO_SECRETS_FILE"];

interface Running {
  bao?: OpenBaoServer;
  pg?: PostgresServer;
  k8s?: K8sApiStandin;
  webhook?: TrackedProcess;
  agent?: TrackedProcess;
  app?: TrackedProcess;
  dir?: string;
}

const out = createConsole(10);
const running: Running = {};
/** every secret value the demo handles, to prove none was printed */
const secretsSeen = new Set<string>();

async function main(): Promise<void> {
  out.step("Starting a local OpenBao and PostgreSQL");
  const [bao, pg] = await Promise.all([
    startOpenBao({ autoTeardown: false }),
    startPostgres({ autoTeardown: false }),
  ]);
  running.bao = bao;
  running.pg = pg;
  remember(bao.rootToken);
  remember(pg.password);
  out.detail(`OpenBao    ${bao.address} (dev server, pid ${bao.pid})`);
  out.detail(`PostgreSQL ${pg.host}:${pg.port} database ${pg.database}`);

  out.step("Configuring the Vault side (deploy/examples/vault)");
  const signer = await configureVault(bao, pg);

  out.step("Starting `vaultlet webhook` over HTTPS with automatic TLS");
  const dir = makeTempDir("vaultlet-demo-");
  running.dir = dir;
  const k8s = await startK8sApiStandin();
  running.k8s = k8s;
  out.detail(`STAND-IN for the Kubernetes API at ${k8s.url}: a small local server that`);
  out.detail("answers only the calls automatic TLS makes (webhook configuration, Lease,");
  out.detail("Secret). It is not Kubernetes; no cluster is involved.");
  k8s.seed(webhookConfiguration());
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, k8s.kubeConfig().exportConfig(), { mode: 0o600 });
  const webhookPort = await freePort();
  running.webhook = spawnTracked(
    process.execPath,
    [
      CLI,
      "webhook",
      `-listen=127.0.0.1:${webhookPort}`,
      `-tls-auto=${WEBHOOK_CONFIG}`,
      "-tls-auto-hosts=localhost,127.0.0.1",
      `-vault-address=${bao.address}`,
      "-log-level=warn",
    ],
    { env: { ...cleanEnv(), KUBECONFIG: kubeconfig, NAMESPACE: "vaultlet" } },
  );
  const ca = await waitForCaBundle(k8s, WEBHOOK_CONFIG, running.webhook, WAIT_MS);
  out.detail(
    `caBundle written into MutatingWebhookConfiguration "${WEBHOOK_CONFIG}" (${ca.split("BEGIN CERTIFICATE").length - 1} CA certificate)`,
  );
  const webhookUrl = `https://localhost:${webhookPort}`;
  await waitUntil(
    "the webhook to be ready",
    async () =>
      (await postJson(`${webhookUrl}/health/ready`, ca, undefined)).status === 200
        ? true
        : undefined,
    WAIT_MS,
  );
  out.detail(`webhook ready at ${webhookUrl}, serving a certificate from that CA`);

  out.step("Sending the checkout pod to the webhook (deploy/examples/kubernetes/checkout.yaml)");
  const pod = checkoutPod();
  const review = await postJson(`${webhookUrl}/mutate`, ca, admissionReview(pod));
  const outcome = outcomeOf(review.body);
  if (!outcome.allowed) throw new Error(`the webhook refused the pod: ${outcome.message ?? "?"}`);
  const patched = applyPatch(pod, outcome.patch);
  out.detail(`allowed, JSON patch of ${outcome.patch.length} operations:`);
  for (const line of summarise(pod, patched)) out.detail(`  ${line}`);
  out.detail(outcome.warnings.length === 0 ? "no warnings" : "warnings:");
  for (const w of outcome.warnings) out.detail(`  ! ${w}`);

  out.step("Running the injected agent as the patched pod spec says");
  const agentSpec = agentOf(patched);
  const paths = {
    secrets: join(dir, "vault/secrets"),
    token: join(dir, "serviceaccount"),
    home: join(dir, "home/vault"),
  };
  for (const p of Object.values(paths)) mkdirSync(p, { recursive: true, mode: 0o750 });
  const opsPort = await freePort();
  const config = mapToLocal(agentSpec, paths, `127.0.0.1:${opsPort}`);
  config.template_config = {
    ...(config.template_config ?? {}),
    static_secret_render_interval: DEMO_STATIC_RENDER_INTERVAL,
  };
  const token = await signer.kubernetesToken({
    namespace: NAMESPACE,
    serviceAccount: SERVICE_ACCOUNT,
    audience: agentSpec.tokenAudience,
    podName: "checkout-7d9f8c6b5-x2x9q",
  });
  remember(token);
  writeFileSync(join(paths.token, "token"), token, { mode: 0o600 });
  const [program, ...args] = agentSpec.container.command as string[];
  out.detail(`container ${agentSpec.container.name}: ${[program, ...args].join(" ")}`);
  out.detail(`VAULT_CONFIG decoded; same config with paths mapped under ${dir}:`);
  out.detail(`  /vault/secrets -> ${paths.secrets}`);
  out.detail(`  ${agentSpec.tokenMountPath} -> ${join(paths.token, "token")} (a signed token`);
  out.detail(
    `    for system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}, audience "${agentSpec.tokenAudience}")`,
  );
  out.detail(`  /home/vault -> ${paths.home}; ops endpoint 127.0.0.1:${opsPort}`);
  out.detail(
    `  static_secret_render_interval ${DEMO_STATIC_RENDER_INTERVAL} instead of the example's 1m, to keep the demo short`,
  );
  const literalEnv = Object.fromEntries(
    (agentSpec.container.env as { name: string; value?: string }[])
      .filter((e) => e.value !== undefined && e.name !== "VAULT_CONFIG")
      .map((e) => [e.name, e.value!]),
  );
  running.agent = spawnTracked(process.execPath, [CLI, ...args], {
    env: {
      ...cleanEnv(),
      ...literalEnv,
      NAMESPACE,
      VAULT_CONFIG: Buffer.from(JSON.stringify(config)).toString("base64"),
    },
    cwd: dir,
  });
  await waitUntil(
    "the agent's first render (GET /ready)",
    async () => {
      if (running.agent!.hasExited)
        throw new Error(`the agent exited:\n${running.agent!.output().slice(-2000)}`);
      const res = await fetch(`http://127.0.0.1:${opsPort}/ready`);
      return res.status === 200 ? true : undefined;
    },
    WAIT_MS,
  );
  out.detail("agent ready: logged in with the projected token, first render complete");

  out.step("The rendered files (secret values hidden)");
  const dbEnvFile = join(paths.secrets, "db.env");
  const configFile = join(paths.secrets, "config.json");
  const firstDb = parseEnv(readFileSync(dbEnvFile, "utf8"));
  remember(firstDb.DB_PASSWORD);
  showFile(dbEnvFile, maskEnvFile(readFileSync(dbEnvFile, "utf8")));
  showFile(configFile, maskJson(readFileSync(configFile, "utf8")));
  const who = await pgLogin(pg, { username: firstDb.DB_USER!, password: firstDb.DB_PASSWORD! });
  out.detail(`PostgreSQL login with db.env's credentials: current_user = ${who}`);

  out.step("Starting the checkout app (a tiny node process that logs SIGHUP)");
  const appLines: string[] = [];
  running.app = spawnTracked(
    process.execPath,
    [join(import.meta.dirname, "app.ts"), paths.secrets],
    {
      env: cleanEnv(),
    },
  );
  running.app.child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
      appLines.push(line);
      out.detail(`  ${line}`);
    }
  });
  await waitUntil(
    "the app to start",
    async () => (appLines.some((l) => l.includes("started")) ? true : undefined),
    WAIT_MS,
  );

  out.step("Rotating the KV secret secret/shop/checkout");
  const newKey = `pk_live_${randomBytes(12).toString("hex")}`;
  remember(newKey);
  const before = readFileSync(configFile, "utf8");
  await bao.kvPut("secret", "shop/checkout", {
    payment_api_key: newKey,
    currency: "EUR",
    feature_flags: "fast-checkout",
  });
  out.detail("new payment_api_key written (version 2); waiting for the agent to re-render...");
  const sighups = () => appLines.filter((l) => l.includes("received SIGHUP")).length;
  const sighupsBefore = sighups();
  await waitUntil(
    "config.json to change",
    async () => (readFileSync(configFile, "utf8") !== before ? true : undefined),
    WAIT_MS,
  );
  out.detail("config.json re-rendered:");
  showFile(configFile, maskJson(readFileSync(configFile, "utf8")));
  await waitUntil(
    "the app's SIGHUP",
    async () => (sighups() > sighupsBefore ? true : undefined),
    WAIT_MS,
  );
  out.detail(
    'the agent sent SIGHUP to the process named "checkout" (agent-inject-signal-config.json), no shell involved',
  );

  out.step(`Waiting for the database login to be replaced (lease max_ttl ${DB_TTL})`);
  const replaced = await waitUntil(
    "new database credentials in db.env",
    async () => {
      const now = parseEnv(readFileSync(dbEnvFile, "utf8"));
      return now.DB_USER && now.DB_USER !== firstDb.DB_USER ? now : undefined;
    },
    WAIT_MS,
    200,
  );
  remember(replaced.DB_PASSWORD);
  out.detail(`db.env re-rendered with a new login: ${firstDb.DB_USER} -> ${replaced.DB_USER}`);
  showFile(dbEnvFile, maskEnvFile(readFileSync(dbEnvFile, "utf8")));
  const whoNow = await pgLogin(pg, {
    username: replaced.DB_USER!,
    password: replaced.DB_PASSWORD!,
  });
  out.detail(`PostgreSQL login with the new credentials: current_user = ${whoNow}`);
  await waitUntil(
    "the app's SIGHUP for db.env",
    async () => (sighups() > sighupsBefore + 1 ? true : undefined),
    WAIT_MS,
  );
  out.detail(`the app was signalled again; SIGHUPs received so far: ${sighups()}`);
}

async function configureVault(bao: OpenBaoServer, pg: PostgresServer): Promise<JwtSigner> {
  const signer = await createJwtSigner({ issuer: KUBERNETES_ISSUER });
  await bao.enableJwtAuth({ mount: "kubernetes-jwt", signer });
  out.detail(`auth/kubernetes-jwt: jwt auth trusting a local key pair that STANDS IN for the`);
  out.detail(`  cluster's service-account token issuer (${KUBERNETES_ISSUER})`);
  await bao.writePolicy(
    "checkout",
    readFileSync(join(EXAMPLES, "vault/policies/checkout.hcl"), "utf8"),
  );
  // The same fields as deploy/examples/vault/roles.sh writes for this role.
  await bao.api("POST", "auth/kubernetes-jwt/role/checkout", {
    role_type: "jwt",
    user_claim: "sub",
    bound_audiences: ["vault"],
    bound_subject: `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
    token_policies: ["checkout"],
    token_ttl: "15m",
    token_max_ttl: "1h",
  });
  out.detail(
    `role checkout: audience "vault", only system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}, policy checkout`,
  );
  const key = `pk_live_${randomBytes(12).toString("hex")}`;
  remember(key);
  await bao.kvPut("secret", "shop/checkout", {
    payment_api_key: key,
    currency: "EUR",
    feature_flags: "fast-checkout",
  });
  out.detail("KV v2 secret secret/shop/checkout (payment_api_key, currency, feature_flags)");
  await configureDatabaseEngine(bao, pg, { role: "checkout", defaultTtl: DB_TTL, maxTtl: DB_TTL });
  out.detail(`database/roles/checkout: a new PostgreSQL login per lease, max_ttl ${DB_TTL}`);
  return signer;
}

function webhookConfiguration() {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name: WEBHOOK_CONFIG },
    webhooks: [
      {
        name: "pods.vaultlet.io",
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        failurePolicy: "Fail",
        clientConfig: { service: { name: "vaultlet", namespace: "vaultlet", path: "/mutate" } },
      },
    ],
  };
}

/** The demo's environment without settings that would change the webhook or agent. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith("AGENT_INJECT_") && !k.startsWith("VAULT_") && !k.startsWith("BAO_"),
    ),
  );
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function remember(value: string | undefined): void {
  if (value) secretsSeen.add(value);
}

function showFile(path: string, masked: string): void {
  out.detail(`${path.slice(path.lastIndexOf("/vault/secrets/"))} (in the pod):`);
  for (const line of masked.split("\n")) if (line !== "") out.detail(`  | ${line}`);
}

function handOverSecrets(): void {
  if (SECRETS_OUT) writeFileSync(SECRETS_OUT, JSON.stringify([...secretsSeen]), { mode: 0o600 });
}

async function cleanUp(): Promise<void> {
  handOverSecrets();
  const stops: Promise<unknown>[] = [];
  for (const p of [running.app, running.agent, running.webhook]) if (p) stops.push(p.stop());
  await Promise.allSettled(stops);
  await Promise.allSettled([running.k8s?.close(), running.bao?.stop(), running.pg?.stop()]);
  if (running.dir) removeTempDir(running.dir);
}

let code = 0;
try {
  await main();
  out.step("Cleaning up");
  await cleanUp();
  out.detail("stopped the app, agent, webhook, Kubernetes API stand-in, OpenBao and PostgreSQL;");
  out.detail("removed the temporary directories");
  out.done();
} catch (err) {
  code = 1;
  const message = err instanceof Error ? err.message : String(err);
  let text = `\nDemo failed: ${message}\n`;
  for (const s of secretsSeen) text = text.split(s).join(fingerprint(s));
  process.stderr.write(text);
  await cleanUp();
}
process.exit(code);
