import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { baoWithJwt, eventually, kvPut } from "../agent/agent-harness.ts";
import { captureLogs } from "../support/log-capture.ts";
import {
  freePort,
  removeTempDir,
  spawnTracked,
  waitUntil,
  type TrackedProcess,
} from "../support/processes.ts";
import { postReview } from "../webhook/server/https.ts";
import { admissionReview, annotatedPod } from "../webhook/server/reviews.ts";
import { tlsFixture } from "../webhook/server/tls-fixture.ts";
import { BUNDLES } from "../../deploy/images/build-bundles.ts";
import { buildTestBundles, type BuiltBundles } from "./bundle-fixture.ts";

const PASSWORD = "bundle-Pa55word";
const POLICY = `path "kv/data/app" { capabilities = ["read"] }`;
const TEMPLATE = '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}';

/** Runs `vaultlet ARGS` found on PATH with no shell, as a container runtime does with a pod's command. */
function vaultlet(path: string, args: string[], env: Record<string, string> = {}): TrackedProcess {
  return spawnTracked("vaultlet", args, { env: { PATH: path, ...env } });
}

async function exitCode(proc: TrackedProcess): Promise<number | null> {
  await proc.exited();
  return proc.child.exitCode;
}

describe("image bundles", () => {
  let b: BuiltBundles;
  before(async () => {
    b = await buildTestBundles();
  });
  after(() => removeTempDir(b.dir));

  test("the agent bundle is one executable entry script and its chunk directory, with no WebAssembly", () => {
    assert.deepEqual(
      readdirSync(dirname(b.agent))
        .filter((f) => !f.startsWith("vaultlet-webhook"))
        .sort(),
      [basename(b.agent), BUNDLES.agent.chunks].sort(),
    );
    const chunkDir = join(dirname(b.agent), BUNDLES.agent.chunks!);
    const files = [b.agent, ...readdirSync(chunkDir).map((f) => join(chunkDir, f))];
    assert.ok(files.length > 2, "the lazy imports became chunks");
    for (const f of files) {
      assert.match(f, /\.mjs$/);
      assert.doesNotMatch(readFileSync(f, "utf8"), /WebAssembly/);
    }
    assert.match(readFileSync(b.agent, "utf8").split("\n")[0]!, /^#!\//);
    assert.ok((statSync(b.agent).mode & 0o111) !== 0, "executable");
  });

  test("the agent's entry script leaves the Handlebars engine, the metrics client and doctor to chunks once mode never loads", () => {
    const entry = readFileSync(b.agent, "utf8");
    assert.doesNotMatch(entry, /Handlebars|prom-client|collectDefaultMetrics/);
    const chunkDir = join(dirname(b.agent), BUNDLES.agent.chunks!);
    const all = readdirSync(chunkDir)
      .map((f) => readFileSync(join(chunkDir, f), "utf8"))
      .join("\n");
    assert.match(all, /collectDefaultMetrics|vaultlet_agent_logins_total/);
  });

  test("the agent's metrics chunk holds prom-client's metric classes, not its index (push gateway with https and zlib, cluster aggregator)", () => {
    const chunkDir = join(dirname(b.agent), BUNDLES.agent.chunks!);
    const metrics = readdirSync(chunkDir)
      .map((f) => readFileSync(join(chunkDir, f), "utf8"))
      .filter((t) => t.includes("vaultlet_agent_logins_total"));
    assert.equal(metrics.length, 1, "one chunk holds the agent's metrics");
    assert.doesNotMatch(metrics[0]!, /Pushgateway|AggregatorRegistry|"https"|"zlib"|"cluster"/);
  });

  test("the webhook's start-up with TLS files loads neither the Kubernetes client nor node-forge (they wait in chunks for automatic TLS), nor a web framework, nor prom-client's default metrics", () => {
    const chunkDir = join(dirname(b.webhook), BUNDLES.webhook.chunks!);
    const text = (file: string) => readFileSync(file, "utf8");
    // what `vaultlet webhook` loads before any automatic TLS: the entry, the
    // command's chunk and their static imports, transitively
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const [, rel] of text(file).matchAll(
        /\bfrom\s*"\.\/(?:vaultlet-webhook-chunks\/)?([^"]+)"/g,
      )) {
        visit(join(chunkDir, basename(rel!)));
      }
    };
    const command = /webhook:\{[^}]*?import\("\.\/vaultlet-webhook-chunks\/([^"]+)"\)/.exec(
      text(b.webhook),
    );
    assert.ok(command, "the webhook command is a lazy import of its own chunk");
    visit(b.webhook);
    visit(join(chunkDir, command[1]!));
    const startup = [...loaded].map(text).join("\n");
    assert.match(startup, /createAdmissionApp|vault_agent_injector_request_queue_length/);
    assert.doesNotMatch(startup, /KubeConfig|CoordinationV1Api|node-forge|forge\.pki/);
    // node's own HTTP server answers the four routes: no web framework (express's body
    // parsers carry iconv-lite's tables), and only prom-client's metric classes
    assert.doesNotMatch(startup, /x-powered-by|iconv-lite|collectDefaultMetrics/);
    const all = readdirSync(chunkDir).map((f) => text(join(chunkDir, f)));
    assert.ok(
      all.some((t) => /CoordinationV1Api/.test(t)),
      "the Kubernetes client is in a chunk",
    );
    assert.ok(
      all.some((t) => /forge\.pki|node-forge/.test(t)),
      "node-forge is in a chunk",
    );
  });

  test("the webhook bundle carries no agent module and the agent bundle no webhook module", () => {
    assert.ok(b.sources.webhook.some((f) => f.startsWith("webhook/")));
    assert.deepEqual(
      b.sources.webhook.filter((f) => f.startsWith("agent/")),
      [],
    );
    assert.ok(b.sources.agent.some((f) => f.startsWith("agent/")));
    assert.deepEqual(
      b.sources.agent.filter((f) => f.startsWith("webhook/")),
      [],
    );
  });

  test("each bundle answers only its image's commands, with the package version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const version = vaultlet(b.agentPath, ["--version"]);
    assert.equal(await exitCode(version), 0);
    assert.equal(version.output(), `vaultlet ${pkg.version}\n`);
    const wrong = vaultlet(b.agentPath, ["webhook"]);
    assert.equal(await exitCode(wrong), 2);
    assert.match(wrong.output(), /"webhook" is not part of the agent image/);
    const wrong2 = vaultlet(b.webhookPath, ["agent"]);
    assert.equal(await exitCode(wrong2), 2);
    assert.match(wrong2.output(), /"agent" is not part of the webhook image/);
    assert.match(wrong2.output(), /^ {2}webhook .*\n {2}inject /m);
    assert.doesNotMatch(wrong2.output(), /^ {2}agent /m);
  });

  test("agent bundle, the injected command `vaultlet agent -config-env=VAULT_CONFIG`: once mode renders a KV v2 secret from OpenBao (JSON config)", async () => {
    const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
    await bao.enableKvV2("kv");
    await kvPut(bao, "kv", "app", { password: PASSWORD });
    const config = {
      vault: { address: bao.address },
      exit_after_auth: true,
      auto_auth: {
        method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
      },
      template: [{ destination: join(dir, "json-out"), contents: TEMPLATE }],
    };
    const run = vaultlet(b.agentPath, ["agent", "-config-env=VAULT_CONFIG"], {
      VAULT_CONFIG: Buffer.from(JSON.stringify(config)).toString("base64"),
    });
    assert.equal(await exitCode(run), 0, run.output());
    assert.equal(readFileSync(join(dir, "json-out"), "utf8"), PASSWORD);
    const logs = captureLogs();
    logs.add(run.output());
    logs.assertNoSecrets([PASSWORD, readFileSync(jwtPath, "utf8")]);
  });

  test("agent bundle: once mode with an HCL config file renders the same secret", async () => {
    const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
    await bao.enableKvV2("kv");
    await kvPut(bao, "kv", "app", { password: PASSWORD });
    const file = join(dir, "agent.hcl");
    writeFileSync(
      file,
      `exit_after_auth = true
vault {
  address = "${bao.address}"
}
auto_auth {
  method "jwt" {
    mount_path = "auth/jwt"
    config = {
      role = "app"
      path = "${jwtPath}"
    }
  }
}
template {
  destination = "${join(dir, "hcl-out")}"
  contents    = ${JSON.stringify(TEMPLATE)}
}
`,
    );
    const run = vaultlet(b.agentPath, ["agent", `-config=${file}`]);
    assert.equal(await exitCode(run), 0, run.output());
    assert.equal(readFileSync(join(dir, "hcl-out"), "utf8"), PASSWORD);
  });

  test("agent bundle, sidecar mode: ready after the first render, re-renders a rotated KV secret, SIGTERM exits 0", async () => {
    const { bao, jwtPath, dir } = await baoWithJwt(POLICY, { tokenTtl: "1h" });
    await bao.enableKvV2("kv");
    await kvPut(bao, "kv", "app", { password: PASSWORD });
    const port = await freePort();
    const out = join(dir, "sidecar-out");
    const config = {
      vault: { address: bao.address },
      auto_auth: {
        method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
      },
      template_config: { static_secret_render_interval: "1s" },
      template: [{ destination: out, contents: TEMPLATE }],
      vaultlet: { listen: `127.0.0.1:${port}` },
    };
    const proc = vaultlet(b.agentPath, ["agent", "-config-env=VAULT_CONFIG"], {
      VAULT_CONFIG: Buffer.from(JSON.stringify(config)).toString("base64"),
    });
    try {
      await eventually("the bundled agent to be ready", 20_000, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
        return res?.status === 200;
      });
      assert.equal(readFileSync(out, "utf8"), PASSWORD);
      await kvPut(bao, "kv", "app", { password: "rotated-Pa55word" });
      await eventually("the rotated secret to be rendered", 20_000, async () =>
        existsSync(out) ? readFileSync(out, "utf8") === "rotated-Pa55word" : false,
      );
      await proc.stop("SIGTERM");
      assert.equal(proc.child.exitCode, 0, proc.output());
    } finally {
      await proc.stop("SIGKILL");
    }
  });

  test("webhook bundle: serves HTTPS with TLS files, answers an AdmissionReview with the agent patch, stops on SIGTERM", async () => {
    const fx = await tlsFixture();
    try {
      const proc = vaultlet(b.webhookPath, ["webhook", "-listen=127.0.0.1:0"], {
        AGENT_INJECT_VAULT_ADDR: "https://vault.vault.svc:8200",
        AGENT_INJECT_TLS_CERT_FILE: fx.certFile,
        AGENT_INJECT_TLS_KEY_FILE: fx.keyFile,
      });
      const port = await waitUntil(
        "the bundled webhook to listen",
        async () => {
          for (const line of proc.output().split("\n")) {
            if (!line.startsWith("{")) continue;
            const entry = JSON.parse(line);
            if (entry.msg === "webhook listening") return entry.port as number;
          }
          if (proc.hasExited) throw new Error(`webhook exited: ${proc.output()}`);
          return undefined;
        },
        15_000,
      );
      const review = admissionReview({ object: annotatedPod() });
      const res = await postReview(`https://127.0.0.1:${port}`, fx.ca.certPem, review);
      const response = res.json().response;
      assert.equal(response.uid, review.request.uid);
      assert.equal(response.allowed, true);
      assert.equal(response.patchType, "JSONPatch");
      const patch = JSON.parse(Buffer.from(response.patch, "base64").toString("utf8"));
      const added = JSON.stringify(patch);
      assert.match(added, /"vaultlet","agent"/);
      await proc.stop("SIGTERM");
      assert.equal(proc.child.exitCode, 0, proc.output());
    } finally {
      await fx.cleanup();
    }
  });

  test("webhook bundle: `vaultlet inject -f` rewrites a Deployment offline with the agent image's command", async () => {
    const dir = join(b.dir, "inject");
    mkdirSync(dir);
    const file = join(dir, "deploy.yaml");
    const pod = annotatedPod();
    writeFileSync(
      file,
      stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "checkout", namespace: "shop" },
        spec: {
          selector: { matchLabels: { app: "checkout" } },
          template: {
            metadata: { labels: { app: "checkout" }, annotations: pod.metadata.annotations },
            spec: pod.spec,
          },
        },
      }),
    );
    const run = vaultlet(b.webhookPath, [
      "inject",
      "-f",
      file,
      "-vault-address=https://vault:8200",
    ]);
    assert.equal(await exitCode(run), 0, run.output());
    const [doc] = parseAllDocuments(run.output().slice(run.output().indexOf("apiVersion")));
    const spec = doc!.toJSON().spec.template.spec;
    const agents = [...(spec.initContainers ?? []), ...spec.containers].filter(
      (c: { command?: string[] }) => c.command?.[0] === "vaultlet",
    );
    assert.ok(agents.length >= 1, run.output());
    assert.deepEqual(agents[0].command.slice(0, 2), ["vaultlet", "agent"]);
  });
});
