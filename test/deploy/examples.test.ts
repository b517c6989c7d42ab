/**
 * deploy/examples: every Kubernetes example goes through `vaultlet inject`
 * and validates against the Kubernetes schemas; every agent config parses;
 * the Vault side's scripts run with the real `bao` CLI against a real
 * OpenBao, and the CI examples' agent configs log in with tokens shaped as
 * GitLab's and GitHub's, proving the documented bindings accept the right
 * job and refuse a wrong branch, project or environment.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, globSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { Namespace, Pod, ServiceAccount } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { loadAgentConfig } from "../../shared/agent-config/index.ts";
import { parseHcl } from "../../shared/agent-config/hcl.ts";
import { hashicorpHcl } from "../shared/agent-config/hcl1-json.ts";
import { injectManifests } from "../../webhook/inject/manifests.ts";
import { injectPod } from "../../webhook/mutate/inject.ts";
import { settingsFromEnvAndFlags } from "../../webhook/settings.ts";
import { createJwtSigner, GITHUB_ISSUER, GITLAB_ISSUER } from "../support/jwt-signer.ts";
import type { JwtSigner } from "../support/jwt-signer.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import { configureDatabaseEngine, pgLogin, startPostgres } from "../support/postgres.ts";
import { makeTempDir } from "../support/processes.ts";
import { runExampleVaultScripts } from "./example-vault.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "deploy/examples");
const CLI = join(ROOT, "deploy/cli/bin.ts");
const AUDIENCE = "https://vault.example.com";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  Namespace,
  ServiceAccount,
  Pod,
  Deployment,
  Job,
  CronJob,
};

function podSpecOf(obj: Obj): Obj | undefined {
  if (obj.kind === "Pod") return obj.spec;
  if (obj.kind === "CronJob") return obj.spec.jobTemplate.spec.template.spec;
  return obj.spec?.template?.spec;
}

describe("Kubernetes examples through vaultlet inject", () => {
  const settings = settingsFromEnvAndFlags({}, ["-vault-address=https://vault.example.com:8200"]);
  const files = globSync(join(EXAMPLES, "kubernetes/*.yaml"));

  test("there are examples to check", () => {
    assert.ok(files.length >= 2);
  });

  for (const file of files) {
    test(file.slice(ROOT.length + 1), () => {
      const result = injectManifests(readFileSync(file, "utf8"), {
        settings,
        inject: injectPod,
        source: file,
      });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.warnings, []);
      assert.ok(result.injected >= 1, "at least one pod template injected");
      const objects = parseAllDocuments(result.output).map((d) => d.toJS() as Obj);
      for (const obj of objects) {
        const Model = MODELS[obj.kind];
        assert.ok(Model, `${obj.kind} has a schema in this test`);
        new Model(obj as never).validate();
        const spec = podSpecOf(obj);
        if (!spec) continue;
        const agents = [...(spec.initContainers ?? []), ...spec.containers].filter(
          (c: Obj) => c.name === "vault-agent",
        );
        assert.ok(agents.length >= 1, `${obj.kind} ${obj.metadata.name} has an agent`);
        for (const agent of agents) {
          assert.deepEqual(agent.command, ["vaultlet", "agent", "-config-env=VAULT_CONFIG"]);
        }
      }
    });
  }

  test("the checkout Deployment gets a native sidecar and an audience-scoped token", () => {
    const file = join(EXAMPLES, "kubernetes/checkout.yaml");
    const { output } = injectManifests(readFileSync(file, "utf8"), { settings, inject: injectPod });
    const deployment = parseAllDocuments(output)
      .map((d) => d.toJS() as Obj)
      .find((o) => o.kind === "Deployment")!;
    const spec = deployment.spec.template.spec;
    const sidecar = spec.initContainers.find((c: Obj) => c.name === "vault-agent");
    assert.equal(sidecar.restartPolicy, "Always");
    const token = spec.volumes
      .flatMap((v: Obj) => v.projected?.sources ?? [])
      .find((s: Obj) => s.serviceAccountToken)?.serviceAccountToken;
    assert.equal(token.audience, "vault");
    const config = JSON.parse(
      Buffer.from(sidecar.env.find((e: Obj) => e.name === "VAULT_CONFIG").value, "base64").toString(
        "utf8",
      ),
    );
    assert.equal(config.auto_auth.method.type, "jwt");
    assert.equal(config.auto_auth.method.mount_path, "auth/kubernetes-jwt");
    assert.equal(config.auto_auth.method.config.role, "checkout");
    assert.deepEqual(config.template.map((t: Obj) => t.destination).sort(), [
      "/vault/secrets/config.json",
      "/vault/secrets/db.env",
    ]);
  });

  test("checkout: the agent that SIGHUPs the app runs as the app's uid and gid, non-root, no capability", () => {
    const file = join(EXAMPLES, "kubernetes/checkout.yaml");
    const { output } = injectManifests(readFileSync(file, "utf8"), { settings, inject: injectPod });
    const spec = parseAllDocuments(output)
      .map((d) => d.toJS() as Obj)
      .find((o) => o.kind === "Deployment")!.spec.template.spec;
    // the app's ids come from the pod; the injector's default agent user (100) differs
    assert.equal(spec.securityContext.runAsUser, 10001);
    assert.notEqual(settings.runAsUser, 10001);
    assert.equal(
      spec.containers.find((c: Obj) => c.name === "checkout").securityContext.runAsUser,
      undefined,
    );
    const sidecar = spec.initContainers.find((c: Obj) => c.name === "vault-agent");
    assert.deepEqual(sidecar.securityContext, {
      runAsUser: 10001,
      runAsGroup: 1000,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      allowPrivilegeEscalation: false,
    });
    assert.equal(spec.shareProcessNamespace, true);
  });
});

describe("agent configs and Terraform parse", () => {
  const configs = globSync(join(EXAMPLES, "{ci,agent}/**/*.hcl"));

  test("there are agent configs to check", () => {
    assert.ok(configs.length >= 3);
  });

  for (const file of configs) {
    test(file.slice(ROOT.length + 1), async () => {
      const { config } = await loadAgentConfig([file]);
      assert.ok(config.auto_auth, "logs in by itself");
      assert.equal(config.auto_auth.method.type, "jwt");
      assert.ok(config.template.length + config.env_template.length > 0, "renders something");
    });
  }

  test("the exec example runs its command with env vars and no files", async () => {
    const { config } = await loadAgentConfig([join(EXAMPLES, "agent/exec-env.hcl")]);
    assert.deepEqual(config.exec?.command, ["npm", "run", "migrate"]);
    assert.equal(config.exec?.restart_kill_grace, 10_000);
    assert.deepEqual(
      config.env_template.map((e) => e.name),
      ["DB_USER", "DB_PASSWORD"],
    );
    assert.equal(config.template.length, 0);
  });

  // Vault reads policies as HCL version 1: vaultlet's parser and HashiCorp's agree on them.
  for (const file of globSync(join(EXAMPLES, "vault/policies/*.hcl"))) {
    test(`${file.slice(ROOT.length + 1)} is valid HCL`, async () => {
      const text = readFileSync(file, "utf8");
      const { value } = parseHcl(text, file);
      assert.ok(Object.keys(value).length > 0);
      assert.deepEqual(await hashicorpHcl([text]), [{ value }]);
    });
  }

  // Terraform is HCL 2, read here by HashiCorp's HCL 2 parser.
  const terraform = async (file: string): Promise<Obj> => {
    const [result] = await hashicorpHcl([readFileSync(file, "utf8")], { hcl2: true });
    assert.ok(result && "value" in result, `${file}: ${JSON.stringify(result)}`);
    return result.value;
  };

  for (const file of globSync(join(EXAMPLES, "vault/terraform/*.tf"))) {
    test(`${file.slice(ROOT.length + 1)} is valid HCL 2`, async () => {
      assert.ok(Object.keys(await terraform(file)).length > 0);
    });
  }

  test("Terraform declares the same roles as roles.sh", async () => {
    const tf = await terraform(join(EXAMPLES, "vault/terraform/main.tf"));
    const jwtRoles = tf.resource.vault_jwt_auth_backend_role;
    assert.deepEqual(jwtRoles.gitlab_checkout_deploy[0].bound_claims, {
      project_path: "shop/checkout",
      ref: "main",
      ref_type: "branch",
      ref_protected: "true",
    });
    assert.deepEqual(jwtRoles.github_checkout_deploy[0].bound_claims, {
      repository: "shop-org/checkout",
      ref: "refs/heads/main",
      environment: "production",
    });
    assert.equal(jwtRoles.checkout[0].bound_subject, "system:serviceaccount:shop:checkout");
    const k8sRole = tf.resource.vault_kubernetes_auth_backend_role.report[0];
    assert.deepEqual(k8sRole.bound_service_account_names, ["report"]);
    assert.deepEqual(k8sRole.bound_service_account_namespaces, ["batch"]);
    assert.equal(k8sRole.audience, "vault");
  });
});

interface AgentRun {
  code: number | null;
  output: string;
  dir: string;
}

/** `vaultlet agent -config=FILE` in a fresh job directory holding `.vaultlet/id-token`. */
function runCiAgent(bao: OpenBaoServer, config: string, jwt: string): Promise<AgentRun> {
  const dir = makeTempDir("vaultlet-ci-job-");
  mkdirSync(join(dir, ".vaultlet"), { mode: 0o700 });
  writeFileSync(join(dir, ".vaultlet/id-token"), jwt, { mode: 0o600 });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      private: true,
      scripts: {
        // stands in for the project's migrations: records the login it was given
        migrate: `node -e "require('fs').writeFileSync('creds.json', JSON.stringify({u: process.env.DB_USER, p: process.env.DB_PASSWORD}))"`,
      },
    }),
  );
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, "agent", `-config=${config}`], {
      cwd: dir,
      env: { ...process.env, VAULT_ADDR: bao.address },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("error", fail);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, output, dir });
    });
  });
}

describe("Vault side and CI examples against a real OpenBao", () => {
  let bao: OpenBaoServer;
  let gitlab: JwtSigner;
  let github: JwtSigner;
  const gitlabConfig = join(EXAMPLES, "ci/gitlab/vaultlet-agent.hcl");
  const githubConfig = join(EXAMPLES, "ci/github/vaultlet-agent.hcl");

  before(async () => {
    bao = await startOpenBao();
    await runExampleVaultScripts(bao);
    // trust.sh points the mounts at the real issuers' discovery URLs; here the
    // test's signers take their place.
    gitlab = await createJwtSigner({ issuer: GITLAB_ISSUER });
    github = await createJwtSigner({ issuer: GITHUB_ISSUER });
    for (const [mount, signer] of [
      ["gitlab", gitlab],
      ["github", github],
    ] as const) {
      await bao.api("POST", `auth/${mount}/config`, {
        jwt_validation_pubkeys: [signer.publicKeyPem],
        bound_issuer: signer.issuer,
      });
    }
    await bao.kvPut("secret", "ci/checkout-deploy", {
      registry_user: "deploy-bot",
      registry_password: "registry-password-for-test",
    });
  });

  const rendered = (r: AgentRun) => readFileSync(join(r.dir, ".vaultlet/deploy.env"), "utf8");
  /** the agent exited non-zero for `reason` (Vault's answer to the login) and wrote nothing */
  const refused = (r: AgentRun, reason: RegExp) => {
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /AUTH_LOGIN_FAILED/);
    assert.match(r.output, reason);
    assert.equal(existsSync(join(r.dir, ".vaultlet/deploy.env")), false);
  };

  test("GitLab: protected main of shop/checkout renders the deploy settings once", async () => {
    const jwt = await gitlab.gitlabIdToken({
      projectPath: "shop/checkout",
      ref: "main",
      audience: AUDIENCE,
    });
    const r = await runCiAgent(bao, gitlabConfig, jwt);
    assert.equal(r.code, 0, r.output);
    assert.equal(
      rendered(r),
      "REGISTRY_USER=deploy-bot\nREGISTRY_PASSWORD=registry-password-for-test\n",
    );
    assert.ok(!r.output.includes("registry-password-for-test"));
  });

  test("GitLab: another branch of the same project is refused", async () => {
    const jwt = await gitlab.gitlabIdToken({
      projectPath: "shop/checkout",
      ref: "feature-x",
      audience: AUDIENCE,
    });
    refused(await runCiAgent(bao, gitlabConfig, jwt), /claim \\"ref\\" does not match/);
  });

  test("GitLab: another project on main is refused", async () => {
    const jwt = await gitlab.gitlabIdToken({
      projectPath: "shop/storefront",
      ref: "main",
      audience: AUDIENCE,
    });
    refused(await runCiAgent(bao, gitlabConfig, jwt), /claim \\"project_path\\" does not match/);
  });

  test("GitLab: a token for another audience is refused", async () => {
    const jwt = await gitlab.gitlabIdToken({ projectPath: "shop/checkout", ref: "main" });
    refused(await runCiAgent(bao, gitlabConfig, jwt), /invalid audience/);
  });

  test("GitHub: main of shop-org/checkout in production renders once", async () => {
    const jwt = await github.githubActionsToken({
      repository: "shop-org/checkout",
      ref: "refs/heads/main",
      environment: "production",
      audience: AUDIENCE,
    });
    const r = await runCiAgent(bao, githubConfig, jwt);
    assert.equal(r.code, 0, r.output);
    assert.equal(
      rendered(r),
      "REGISTRY_USER=deploy-bot\nREGISTRY_PASSWORD=registry-password-for-test\n",
    );
  });

  test("GitHub: another branch is refused", async () => {
    const jwt = await github.githubActionsToken({
      repository: "shop-org/checkout",
      ref: "refs/heads/feature-x",
      environment: "production",
      audience: AUDIENCE,
    });
    refused(await runCiAgent(bao, githubConfig, jwt), /claim \\"ref\\" does not match/);
  });

  test("GitHub: another repository is refused", async () => {
    const jwt = await github.githubActionsToken({
      repository: "shop-org/storefront",
      ref: "refs/heads/main",
      environment: "production",
      audience: AUDIENCE,
    });
    refused(await runCiAgent(bao, githubConfig, jwt), /invalid subject/);
  });

  test("GitHub: main outside the production environment is refused", async () => {
    const jwt = await github.githubActionsToken({
      repository: "shop-org/checkout",
      ref: "refs/heads/main",
      audience: AUDIENCE,
    });
    refused(await runCiAgent(bao, githubConfig, jwt), /invalid subject/);
  });

  test("a GitLab token is refused by the GitHub mount", async () => {
    const jwt = await gitlab.gitlabIdToken({
      projectPath: "shop/checkout",
      ref: "main",
      audience: AUDIENCE,
    });
    refused(await runCiAgent(bao, githubConfig, jwt), /no known key/);
  });

  test("exec mode: the migrations get a working database login as env vars", async () => {
    const pg = await startPostgres();
    // database.sh needs a PostgreSQL reachable with TLS; the test's own takes its place
    await bao.api("DELETE", "sys/mounts/database");
    await configureDatabaseEngine(bao, pg, { role: "checkout", defaultTtl: "5m", maxTtl: "10m" });
    const jwt = await gitlab.gitlabIdToken({
      projectPath: "shop/checkout",
      ref: "main",
      audience: AUDIENCE,
    });
    const r = await runCiAgent(bao, join(EXAMPLES, "agent/exec-env.hcl"), jwt);
    assert.equal(r.code, 0, r.output);
    const creds = JSON.parse(readFileSync(join(r.dir, "creds.json"), "utf8"));
    assert.equal(await pgLogin(pg, { username: creds.u, password: creds.p }), creds.u);
    assert.ok(!r.output.includes(creds.p), "the password is not in the agent's output");
  });
});
