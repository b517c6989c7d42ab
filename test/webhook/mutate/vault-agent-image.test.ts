/**
 * A pod whose agent image is Vault's or OpenBao's gets a config that image's
 * agent loads: only Vault Agent's keys. `bao agent` runs each config the
 * webhook generates for the Kubernetes examples (their signals and native
 * sidecar included), against a real OpenBao.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { globSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { injectManifests } from "../../../webhook/inject/manifests.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { settingsFromEnvAndFlags } from "../../../webhook/settings.ts";
import { findBaoBinary, startOpenBao, type OpenBaoServer } from "../../support/openbao.ts";
import { makeTempDir, removeTempDir, spawnTracked, waitUntil } from "../../support/processes.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const IMAGE = "quay.io/openbao/openbao:2.4.0";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every agent container's decoded VAULT_CONFIG in an example file, with the admission warnings. */
function generatedConfigs(file: string, vaultAddress: string) {
  const settings = settingsFromEnvAndFlags({}, [
    `-vault-address=${vaultAddress}`,
    `-vault-image=${IMAGE}`,
  ]);
  const result = injectManifests(readFileSync(file, "utf8"), {
    settings,
    inject: injectPod,
    source: file,
  });
  assert.deepEqual(result.errors, []);
  const configs: Array<{ name: string; config: Obj; container: Obj }> = [];
  for (const obj of parseAllDocuments(result.output).map((d) => d.toJS() as Obj)) {
    const spec =
      obj.kind === "Pod"
        ? obj.spec
        : obj.kind === "CronJob"
          ? obj.spec.jobTemplate.spec.template.spec
          : obj.spec?.template?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      const env = (c.env ?? []).find((e: Obj) => e.name === "VAULT_CONFIG");
      if (!env) continue;
      const config = JSON.parse(Buffer.from(env.value, "base64").toString("utf8"));
      configs.push({ name: `${obj.metadata.name}/${c.name}`, config, container: c });
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

describe("configs for a Vault Agent image", () => {
  let bao: OpenBaoServer;
  let dir: string;
  before(async () => {
    bao = await startOpenBao();
    dir = makeTempDir("vaultlet-vault-image-");
  });
  after(() => removeTempDir(dir));

  const files = globSync(join(ROOT, "deploy/examples/kubernetes/*.yaml"));
  for (const file of files) {
    test(`bao agent loads every config generated for ${file.slice(ROOT.length + 1)}`, async () => {
      const { configs, warnings } = generatedConfigs(file, bao.address);
      assert.ok(configs.length >= 1);
      if (readFileSync(file, "utf8").includes("agent-inject-signal")) {
        assert.ok(
          warnings.some((w) => /agent-inject-signal-\S+ is left out: the agent image/.test(w)),
          warnings.join("\n"),
        );
      }
      for (const { name, config, container } of configs) {
        assert.equal(config.vaultlet, undefined, name);
        for (const t of config.template ?? []) {
          assert.equal(t.signal, undefined, name);
          assert.equal(t.engine, undefined, name);
        }
        assert.deepEqual(container.command, ["/bin/sh", "-ec"]);
        assert.equal(container.startupProbe, undefined);
        const own = join(dir, name.replace(/\W+/g, "-"));
        mkdirSync(join(own, "vault/secrets"), { recursive: true });
        mkdirSync(join(own, "home/vault"), { recursive: true });
        const path = join(own, "config.json");
        writeFileSync(path, JSON.stringify(localConfig(config, own)));
        const agent = spawnTracked(findBaoBinary(), ["agent", `-config=${path}`], {
          env: { ...process.env, HOME: own },
        });
        try {
          // loaded: it got as far as logging in (this token file is missing, so it retries)
          await waitUntil(
            `${name}: bao agent to start its auth handler`,
            async () =>
              agent.hasExited || /auth\.handler: starting auth handler/.test(agent.output())
                ? true
                : undefined,
            20_000,
          );
          assert.doesNotMatch(agent.output(), /invalid keys|error loading configuration/i, name);
          assert.equal(agent.hasExited, false, `${name}: bao agent exited:\n${agent.output()}`);
        } finally {
          await agent.stop();
        }
      }
    });
  }
});
