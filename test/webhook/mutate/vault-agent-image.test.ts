/**
 * A pod whose agent image is Vault's or OpenBao's gets a config that image's
 * agent loads: only Vault Agent's keys. `bao agent` runs each config the
 * webhook generates for the Kubernetes examples (their signals and native
 * sidecar included) with exit_after_auth, against a real OpenBao set up by
 * the examples' own Vault scripts and a real PostgreSQL: it logs in with the
 * pod's token file, renders every template once and exits 0. vaultlet's
 * agent then runs the same config, and both wrote the same files.
 * The token is the test cluster's: a TokenRequest for the example's service
 * account (in a namespace of the test's own, to which the example's roles are
 * rebound), checked by jwt auth against the cluster's keys and by kubernetes
 * auth through its TokenReview.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { globSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { injectManifests } from "../../../webhook/inject/manifests.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { settingsFromEnvAndFlags } from "../../../webhook/settings.ts";
import { testCluster, type TestCluster } from "../../support/cluster/client.ts";
import {
  rebindRole,
  serviceAccountToken,
  trustClusterJwt,
  trustClusterTokenReview,
  type TokenReviewTrust,
} from "../../support/cluster/vault-trust.ts";
import { findBaoBinary, startOpenBao, type OpenBaoServer } from "../../support/openbao.ts";
import {
  configureDatabaseEngine,
  pgLogin,
  startPostgres,
  type PostgresServer,
} from "../../support/postgres.ts";
import { makeTempDir, removeTempDir, spawnTracked } from "../../support/processes.ts";
import { runExampleVaultScripts } from "../../deploy/example-vault.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const EXAMPLES = join(ROOT, "deploy/examples");
const CLI = join(ROOT, "deploy/cli/bin.ts");
const IMAGE = "quay.io/openbao/openbao:2.4.0";
/** the longest one agent run may take before it is killed and the test fails */
const AGENT_RUN_LIMIT_MS = 60_000;
/** values written to Vault that the rendered KV files must show */
const KV_MARKER = "reports-bucket-7f3a";
const KV_VALUES = [/"currency": "EUR"/, new RegExp(`"bucket":"${KV_MARKER}"`)];

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Generated {
  /** `<workload>/<container>` */
  name: string;
  config: Obj;
  container: Obj;
  /** whose projected token the agent logs in with */
  namespace: string;
  serviceAccount: string;
}

function podSpecOf(obj: Obj): Obj | undefined {
  if (obj.kind === "Pod") return obj.spec;
  if (obj.kind === "CronJob") return obj.spec.jobTemplate.spec.template.spec;
  return obj.spec?.template?.spec;
}

/** Every agent container's decoded VAULT_CONFIG in a manifest, with the admission warnings. */
function generatedConfigs(manifest: string, source: string, vaultAddress: string) {
  const settings = settingsFromEnvAndFlags({}, [
    `-vault-address=${vaultAddress}`,
    `-vault-image=${IMAGE}`,
  ]);
  const result = injectManifests(manifest, { settings, inject: injectPod, source });
  assert.deepEqual(result.errors, []);
  const configs: Generated[] = [];
  for (const obj of parseAllDocuments(result.output).map((d) => d.toJS() as Obj)) {
    const spec = podSpecOf(obj);
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      const env = (c.env ?? []).find((e: Obj) => e.name === "VAULT_CONFIG");
      if (!env) continue;
      configs.push({
        name: `${obj.metadata.name}/${c.name}`,
        config: JSON.parse(Buffer.from(env.value, "base64").toString("utf8")),
        container: c,
        namespace: obj.metadata.namespace,
        serviceAccount: spec!.serviceAccountName,
      });
    }
  }
  return { configs, warnings: result.warnings };
}

/** The config with its pod paths moved under `dir`, so it runs outside a pod. */
function localConfig(config: Obj, dir: string): Obj {
  const moved = JSON.stringify(config).replace(
    /"(\/vault\/|\/home\/vault\/|\/var\/run\/secrets\/)/g,
    (_m, prefix: string) => `"${dir}${prefix}`,
  );
  return JSON.parse(moved);
}

/** The file system a pod gives the agent, under `dir`: the secrets volume, home and the token. */
function podFiles(dir: string, config: Obj, token: string): void {
  mkdirSync(join(dir, "vault/secrets"), { recursive: true });
  mkdirSync(join(dir, "home/vault"), { recursive: true });
  const method = config.auto_auth.method;
  const tokenPath: string = method.config.token_path ?? method.config.path;
  assert.match(tokenPath, /^\/var\/run\/secrets\/vaultlet\.io\/serviceaccount\/token$/);
  mkdirSync(join(dir, "var/run/secrets/vaultlet.io/serviceaccount"), { recursive: true });
  writeFileSync(join(dir, tokenPath), token, { mode: 0o600 });
}

interface AgentResult {
  code: number | null;
  output: string;
  /** rendered bytes and mode by the template's pod destination */
  files: Map<string, { text: string; mode: number }>;
}

/** One agent run to its exit over `config` in its own pod-like directory. */
async function runAgent(
  command: string,
  args: string[],
  config: Obj,
  token: string,
  dir: string,
): Promise<AgentResult> {
  podFiles(dir, config, token);
  const path = join(dir, "config.json");
  writeFileSync(path, JSON.stringify(localConfig(config, dir)));
  const env: NodeJS.ProcessEnv = { HOME: dir };
  // the config's address is the one it must use: nothing inherited from the shell
  for (const [k, v] of Object.entries(process.env)) if (!/^(VAULT|BAO)_|^HOME$/.test(k)) env[k] = v;
  const agent = spawnTracked(command, [...args, `-config=${path}`], { env, cwd: dir });
  const limit = setTimeout(() => void agent.stop("SIGKILL"), AGENT_RUN_LIMIT_MS);
  await agent.exited();
  clearTimeout(limit);
  const files = new Map<string, { text: string; mode: number }>();
  for (const t of config.template ?? []) {
    const local = join(dir, t.destination);
    try {
      files.set(t.destination, {
        text: readFileSync(local, "utf8"),
        mode: statSync(local).mode & 0o777,
      });
    } catch {
      // not rendered: the assertions below say which
    }
  }
  return { code: agent.child.exitCode, output: agent.output(), files };
}

/** The examples' namespaces, each with its service accounts, as namespaces of the test's own. */
async function exampleNamespaces(cluster: TestCluster): Promise<Map<string, string>> {
  const accounts: Array<[string, string]> = [
    ["shop", "checkout"],
    ["batch", "report"],
  ];
  const map = new Map<string, string>();
  for (const [example, account] of accounts) {
    const ns = await cluster.createNamespace(example);
    await cluster.kubectl(["create", "serviceaccount", account, "-n", ns]);
    map.set(example, ns);
  }
  return map;
}

/**
 * The examples' Vault side, run with the real `bao` CLI, trusting the test
 * cluster as trust.sh trusts a real one; each role rebound to the test's namespaces.
 */
async function vaultSide(
  bao: OpenBaoServer,
  pg: PostgresServer,
  cluster: TestCluster,
  namespaces: Map<string, string>,
): Promise<TokenReviewTrust> {
  await runExampleVaultScripts(bao);
  await trustClusterJwt(bao, cluster, "kubernetes-jwt");
  await rebindRole(bao, "kubernetes-jwt", "checkout", {
    bound_subject: `system:serviceaccount:${namespaces.get("shop")}:checkout`,
  });
  const review = await trustClusterTokenReview(bao, cluster, {
    namespace: namespaces.get("batch")!,
  });
  await rebindRole(bao, "kubernetes", "report", {
    bound_service_account_namespaces: [namespaces.get("batch")],
  });
  // database.sh needs a PostgreSQL reachable with TLS; the test's own takes its place
  await bao.api("DELETE", "sys/mounts/database");
  await configureDatabaseEngine(bao, pg, { role: "checkout", defaultTtl: "5m", maxTtl: "10m" });
  await bao.kvPut("secret", "shop/checkout", { currency: "EUR", "max-items": 40 });
  await bao.kvPut("secret", "batch/report", { bucket: KV_MARKER, recipients: "ops@example.test" });
  return review;
}

/** The example as written, and with its pre-populate init container (no native sidecar). */
function variants(file: string): Array<[string, string]> {
  const text = readFileSync(file, "utf8");
  const plain = text.replace(/^\s*vault\.hashicorp\.com\/agent-native-sidecar: "true"\n/m, "");
  assert.notEqual(plain, text, `${file} runs a native sidecar`);
  return [
    ["as written", text],
    ["without the native sidecar", plain],
  ];
}

function template(config: Obj, destination: string): Obj {
  return (config.template as Obj[]).find((t) => t.destination === destination)!;
}

/** db.env holds fresh database credentials in each run; the rest of it must match. */
function comparable(destination: string, text: string): string {
  if (!destination.endsWith("/db.env")) return text;
  return text.replace(/^(DB_USER|DB_PASSWORD)=.+$/gm, "$1=<credential>");
}

describe("configs for a Vault Agent image", () => {
  let bao: OpenBaoServer;
  let pg: PostgresServer;
  let cluster: TestCluster;
  let namespaces: Map<string, string>;
  let review: TokenReviewTrust | undefined;
  let dir: string;
  before(async () => {
    cluster = testCluster();
    bao = await startOpenBao();
    pg = await startPostgres();
    namespaces = await exampleNamespaces(cluster);
    review = await vaultSide(bao, pg, cluster, namespaces);
    dir = makeTempDir("vaultlet-vault-image-");
  });
  after(async () => {
    removeTempDir(dir);
    await review?.remove();
    for (const ns of namespaces?.values() ?? []) {
      await cluster.kubectl(["delete", "namespace", ns, "--wait=false"]).catch(() => undefined);
    }
  });

  for (const file of globSync(join(EXAMPLES, "kubernetes/*.yaml"))) {
    for (const [variant, manifest] of variants(file)) {
      const title = `${file.slice(ROOT.length + 1)} ${variant}`;
      test(`${title}: bao agent logs in, renders and exits; vaultlet renders the same`, async () => {
        const { configs, warnings } = generatedConfigs(manifest, file, bao.address);
        assert.ok(configs.length >= (variant === "as written" ? 1 : 2), title);
        if (manifest.includes("agent-inject-signal")) {
          assert.ok(
            warnings.some((w) => /agent-inject-signal-\S+ is left out: the agent image/.test(w)),
            warnings.join("\n"),
          );
        }
        for (const gen of configs) await checkOne(gen, join(dir, title.replace(/\W+/g, "-")));
      });
    }
  }

  async function checkOne(gen: Generated, base: string): Promise<void> {
    const { name, config, container } = gen;
    assert.equal(config.vaultlet, undefined, name);
    for (const t of config.template ?? []) {
      void t;
      assert.equal(t.engine, undefined, name);
    }
    assert.deepEqual(container.command, ["/bin/sh", "-ec"]);
    assert.equal(container.startupProbe, undefined);
    // the init container's config exits after its first render as generated;
    // the long-running one is told to, so that the run ends
    if (container.name === "vault-agent-init") assert.equal(config.exit_after_auth, true, name);
    const once = { ...config, exit_after_auth: true };
    const ns = namespaces.get(gen.namespace);
    assert.ok(ns, `${name}: namespace ${gen.namespace} is not one of the examples'`);
    const token = await serviceAccountToken(cluster, ns, gen.serviceAccount, { audience: "vault" });
    const own = join(base, name.replace(/\W+/g, "-"));
    const baoRun = await runAgent(findBaoBinary(), ["agent"], once, token, join(own, "bao"));
    assert.equal(baoRun.code, 0, `${name}: bao agent:\n${baoRun.output}`);
    assert.match(baoRun.output, /authentication successful/, name);
    const ours = await runAgent(
      process.execPath,
      [CLI, "agent"],
      once,
      token,
      join(own, "vaultlet"),
    );
    assert.equal(ours.code, 0, `${name}: vaultlet agent:\n${ours.output}`);
    assert.ok(!ours.output.includes(token), `${name}: vaultlet printed the login token`);
    const destinations = (config.template ?? []).map((t: Obj) => t.destination as string);
    assert.ok(destinations.length >= 1, name);
    for (const d of destinations) {
      const theirs = baoRun.files.get(d);
      const mine = ours.files.get(d);
      assert.ok(theirs, `${name}: bao agent rendered ${d}`);
      assert.ok(mine, `${name}: vaultlet rendered ${d}`);
      assert.equal(comparable(d, mine.text), comparable(d, theirs.text), `${name}: ${d}`);
      if (!d.endsWith("/db.env"))
        assert.ok(
          KV_VALUES.some((v) => v.test(theirs.text)),
          `${name}: ${d} shows the secret: ${theirs.text}`,
        );
      const perms = template(config, d).perms as string | undefined;
      // without perms Vault Agent writes 0644 and vaultlet 0640 (deploy/docs/agent-output.md)
      assert.equal(theirs.mode.toString(8).padStart(4, "0"), perms ?? "0644", `${name}: ${d}`);
      assert.equal(mine.mode.toString(8).padStart(4, "0"), perms ?? "0640", `${name}: ${d}`);
    }
    await credentialsWork(name, [baoRun, ours]);
  }

  /** Rendered database credentials log in to PostgreSQL, whichever agent wrote them. */
  async function credentialsWork(name: string, runs: AgentResult[]): Promise<void> {
    for (const r of runs) {
      const db = r.files.get("/vault/secrets/db.env")?.text;
      if (db === undefined) continue;
      const username = /^DB_USER=(.+)$/m.exec(db)?.[1];
      const password = /^DB_PASSWORD=(.+)$/m.exec(db)?.[1];
      assert.ok(username && password, `${name}: db.env holds a login`);
      assert.equal(await pgLogin(pg, { username, password }), username);
    }
  }
});
