/**
 * `npm run images`: the OCI archives are valid layouts with the names the
 * cluster imports, the same inputs give the same digests, and the images
 * really run, under runc, the way a restricted pod runs them.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chownSync, existsSync, lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { buildImages, type BuiltImage } from "../../deploy/images/build-images.ts";
import {
  BENCH_BAO,
  IMAGES,
  NODE_BIN,
  NONROOT,
  VAULTLET_LINK,
  imageName,
} from "../../deploy/images/layout.ts";
import { REPO_ROOT } from "../../deploy/images/build-bundles.ts";
import { renderChart } from "../../deploy/chart/render.ts";
import { AGENT_COMMAND, CONFIG_ENV } from "../../webhook/mutate/names.ts";
import { baoWithJwt, eventually, kvPut } from "../agent/agent-harness.ts";
import { findBaoBinary } from "../support/openbao.ts";
import { freePort, GiveUp, makeTempDir, removeTempDir, waitUntil } from "../support/processes.ts";
import { postReview } from "../webhook/server/https.ts";
import { admissionReview, annotatedPod } from "../webhook/server/reviews.ts";
import { tlsFixture } from "../webhook/server/tls-fixture.ts";
import {
  runContainer,
  startContainer,
  type BindMount,
  type ContainerRun,
} from "../support/runc.ts";
import { only, parseObjects } from "./chart-helpers.ts";
import {
  imageUser,
  openArchive,
  sha256,
  unpackImage,
  verified,
  type Descriptor,
  type UnpackedImage,
} from "./image-fixture.ts";

const KINDS = ["agent", "webhook"] as const;
const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;

let out: string;
let first: BuiltImage[];
let second: BuiltImage[];
const unpacked = new Map<string, UnpackedImage>();

type Kind = (typeof KINDS)[number] | "bench";
const SPECS = { ...IMAGES, bench: BENCH_BAO };

function built(kind: Kind): BuiltImage {
  return first.find((b) => b.file.endsWith(`/${SPECS[kind].archive}`))!;
}

function image(kind: Kind): UnpackedImage {
  let u = unpacked.get(kind);
  if (!u) {
    u = unpackImage(built(kind).file);
    unpacked.set(kind, u);
  }
  return u;
}

before(async () => {
  out = makeTempDir("vaultlet-images-");
  first = await buildImages({ outDir: join(out, "first"), bench: true, baoBin: findBaoBinary() });
  second = await buildImages({ outDir: join(out, "second") });
});
after(() => removeTempDir(out));

describe("OCI archives", () => {
  test("names: dist/images/vaultlet-{agent,webhook}.oci.tar as docker.io/vaultlet/{agent,webhook}:<package version>", () => {
    assert.deepEqual(
      first.map((b) => [b.file.slice(join(out, "first").length + 1), b.name]),
      [
        ["vaultlet-agent.oci.tar", `docker.io/vaultlet/agent:${VERSION}`],
        ["vaultlet-webhook.oci.tar", `docker.io/vaultlet/webhook:${VERSION}`],
        ["vaultlet-bench-bao.oci.tar", "docker.io/vaultlet-bench/bao:2.7.2"],
      ],
    );
  });

  for (const kind of KINDS) {
    test(`${kind}: index -> manifest -> config -> layers, every digest and size checks out`, () => {
      const layout = openArchive(built(kind).file);
      assert.deepEqual(JSON.parse(readFileSync(join(layout.dir, "oci-layout"), "utf8")), {
        imageLayoutVersion: "1.0.0",
      });
      assert.equal(layout.index.schemaVersion, 2);
      assert.equal(layout.index.manifests.length, 1);
      const desc = layout.index.manifests[0]!;
      assert.equal(desc.mediaType, "application/vnd.oci.image.manifest.v1+json");
      assert.equal(desc.annotations?.["org.opencontainers.image.ref.name"], built(kind).name);
      assert.equal(desc.digest, built(kind).manifestDigest);
      const manifest = JSON.parse(verified(layout, desc).toString("utf8"));
      assert.equal(manifest.schemaVersion, 2);
      assert.equal(manifest.config.mediaType, "application/vnd.oci.image.config.v1+json");
      const config = JSON.parse(verified(layout, manifest.config).toString("utf8"));
      assert.equal(config.os, "linux");
      assert.deepEqual(desc.platform, { architecture: config.architecture, os: "linux" });
      assert.equal(manifest.layers.length, 2, "runtime layer, bundle layer");
      const diffIds = (manifest.layers as Descriptor[]).map((l) => {
        assert.equal(l.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
        return sha256(gunzipSync(verified(layout, l)));
      });
      assert.deepEqual(config.rootfs, { type: "layers", diff_ids: diffIds });
      // docker load reads Docker's manifest.json from the same archive
      const docker = JSON.parse(readFileSync(join(layout.dir, "manifest.json"), "utf8"));
      assert.deepEqual(docker, [
        {
          Config: `blobs/sha256/${manifest.config.digest.slice(7)}`,
          RepoTags: [built(kind).name],
          Layers: (manifest.layers as Descriptor[]).map((l) => `blobs/sha256/${l.digest.slice(7)}`),
        },
      ]);
    });
  }

  test("both images share their runtime layer, so a node pulls node 24 once", () => {
    const layers = KINDS.map((k) => {
      const layout = openArchive(built(k).file);
      return JSON.parse(verified(layout, layout.index.manifests[0]!).toString("utf8")).layers[0]
        .digest;
    });
    assert.equal(layers[0], layers[1]);
  });

  test("a second build from the same inputs gives the same bytes, hence the same digests", () => {
    assert.equal(second.length, KINDS.length);
    for (const [i, b] of second.entries()) {
      const a = first[i]!;
      assert.equal(b.manifestDigest, a.manifestDigest);
      assert.equal(b.configDigest, a.configDigest);
      assert.equal(sha256(readFileSync(b.file)), sha256(readFileSync(a.file)));
    }
  });
});

describe("image layout", () => {
  for (const kind of KINDS) {
    test(`${kind}: config holds the layout table's user, entrypoint, command and environment`, () => {
      const { config } = image(kind).config;
      const spec = IMAGES[kind];
      assert.equal(config.User, `${NONROOT.uid}:${NONROOT.gid}`);
      assert.deepEqual(config.Entrypoint, spec.entrypoint);
      // node, then only node flags, then the bundle
      assert.equal(config.Entrypoint[0], NODE_BIN);
      assert.equal(config.Entrypoint.at(-1), `/app/${spec.bundle.file}`);
      for (const flag of config.Entrypoint.slice(1, -1))
        assert.match(flag, /^--[a-z0-9-]+(=\S+)?$/);
      assert.deepEqual(config.Cmd, spec.cmd);
      assert.deepEqual(
        config.Env,
        Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      );
      const env = Object.fromEntries(config.Env.map((e) => e.split(/=(.*)/s).slice(0, 2)));
      assert.equal(env.NODE_ENV, "production");
      assert.match(env.PATH!, /^\/usr\/local\/bin:/);
      assert.match(env.NODE_OPTIONS!, /--max-old-space-size=\d+/);
      // glibc reads its tunables as plain numbers; anything else is silently ignored
      for (const [key, value] of Object.entries(env))
        if (key.startsWith("MALLOC_")) assert.match(String(value), /^\d+$/, key);
      assert.equal(env.MALLOC_ARENA_MAX, "1");
      if (kind === "webhook") assert.ok(Number(env.MALLOC_MMAP_THRESHOLD_) > 0);
    });

    test(`${kind}: distroless root filesystem: node and its libraries, the bundle behind vaultlet on PATH, accounts, CA certificates; no shell, no package manager`, () => {
      const { rootfs } = image(kind);
      const node = statSync(join(rootfs, NODE_BIN));
      assert.ok(node.isFile() && (node.mode & 0o111) !== 0);
      assert.equal(readlinkSync(join(rootfs, VAULTLET_LINK)), `/app/${IMAGES[kind].bundle.file}`);
      const entry = readFileSync(join(rootfs, "app", IMAGES[kind].bundle.file), "utf8");
      assert.equal(entry.split("\n")[0], `#!${NODE_BIN}`);
      assert.match(readFileSync(join(rootfs, "etc/passwd"), "utf8"), /^nonroot:x:65532:65532:/m);
      assert.match(readFileSync(join(rootfs, "etc/group"), "utf8"), /^nonroot:x:65532:/m);
      assert.match(
        readFileSync(join(rootfs, "etc/ssl/certs/ca-certificates.crt"), "utf8"),
        /BEGIN CERTIFICATE/,
      );
      const home = statSync(join(rootfs, NONROOT.home));
      assert.equal(home.uid, NONROOT.uid);
      for (const absent of [
        "bin/sh",
        "bin/bash",
        "usr/bin/sh",
        "usr/bin/apt",
        "usr/bin/dpkg",
        "sbin",
      ]) {
        assert.ok(!existsSync(join(rootfs, absent)), `${absent} is not in the image`);
      }
      for (const f of ["nodejs/bin/node", "etc/passwd", "app"]) {
        assert.equal(
          lstatSync(join(rootfs, f)).uid,
          0,
          `${f} belongs to root: the app cannot change it`,
        );
      }
    });
  }
});

/** The image's own settings, the way a kubelet runs it with a pod's `command`. */
const KV_POLICY = `path "kv/data/app" { capabilities = ["read"] }`;
const AGENT_ARGS = [...AGENT_COMMAND, `-config-env=${CONFIG_ENV}`];
const JWT_IN_POD = "/var/run/secrets/vaultlet/jwt";

/** jwt login with the mounted token, kv/app's password to /vault/secrets/password */
function agentConfig(address: string) {
  return {
    vault: { address },
    auto_auth: {
      method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: JWT_IN_POD } },
    },
    template: [
      {
        destination: "/vault/secrets/password",
        contents: '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}',
      },
    ],
  };
}

/** as the webhook injects it: config in VAULT_CONFIG, token and secrets volume mounted */
function agentRun(config: object, jwtPath: string, secrets: string): RunOptions {
  return {
    env: [`${CONFIG_ENV}=${Buffer.from(JSON.stringify(config)).toString("base64")}`],
    hostNetwork: true,
    binds: [
      { source: jwtPath, destination: JWT_IN_POD, readonly: true },
      { source: secrets, destination: "/vault/secrets", readonly: false },
    ],
  };
}

interface RunOptions {
  env?: string[];
  hostNetwork?: boolean;
  binds?: BindMount[];
}

function containerRun(kind: Kind, args: string[], opts: RunOptions): ContainerRun {
  const { rootfs, config } = image(kind);
  return {
    rootfs,
    args,
    env: [...config.config.Env, ...(opts.env ?? [])],
    ...imageUser(config),
    ...(opts.hostNetwork ? { hostNetwork: true } : {}),
    ...(opts.binds ? { binds: opts.binds } : {}),
  };
}

function runImage(kind: Kind, args: string[], opts: RunOptions = {}) {
  return runContainer(containerRun(kind, args, opts));
}

describe("the images under runc: uid 65532, read-only root, no capabilities, loopback-only network", () => {
  const HELP = { agent: ["agent", "-h"], webhook: ["webhook", "-h"] } as const;
  for (const kind of KINDS) {
    test(`${kind}: \`vaultlet --help\` and \`vaultlet ${HELP[kind].join(" ")}\` run from PATH with no shell`, async () => {
      const help = await runImage(kind, ["vaultlet", "--help"]);
      assert.equal(help.code, 0, help.output);
      assert.match(help.output, new RegExp(`^ {2}${kind} `, "m"));
      const sub = await runImage(kind, ["vaultlet", ...HELP[kind]]);
      assert.equal(sub.code, 0, sub.output);
      assert.match(sub.output, new RegExp(`^usage: vaultlet ${kind} `));
      const version = await runImage(kind, ["vaultlet", "--version"]);
      assert.equal(version.output, `vaultlet ${VERSION}\n`);
    });
  }

  test("the container is a restricted pod's: uid and gid 65532, no capabilities, no new privileges, read-only root, only loopback", async () => {
    const probe = `
      const fs = require("node:fs");
      const status = fs.readFileSync("/proc/self/status", "utf8");
      const field = (k) => status.split("\\n").find((l) => l.startsWith(k + ":")).split(":")[1].trim();
      const tryWrite = (f) => { try { fs.writeFileSync(f, "x"); return "written"; } catch (e) { return e.code; } };
      const nets = fs.readFileSync("/proc/net/dev", "utf8").split("\\n").slice(2)
        .map((l) => l.split(":")[0].trim()).filter(Boolean);
      console.log(JSON.stringify({
        uid: process.getuid(), gid: process.getgid(),
        capEff: field("CapEff"), capBnd: field("CapBnd"), noNewPrivs: field("NoNewPrivs"),
        root: tryWrite("/probe"), app: tryWrite("/app/probe"), tmp: tryWrite("/tmp/probe"), nets,
      }));`;
    const run = await runImage("agent", [NODE_BIN, "-e", probe]);
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(JSON.parse(run.output), {
      uid: NONROOT.uid,
      gid: NONROOT.gid,
      capEff: "0000000000000000",
      capBnd: "0000000000000000",
      noNewPrivs: "1",
      root: "EROFS",
      app: "EROFS",
      tmp: "EROFS",
      nets: ["lo"],
    });
  });

  test("webhook: `vaultlet webhook` as process 1 serves HTTPS from mounted TLS files, answers an AdmissionReview, and exits 0 on SIGTERM", async () => {
    const fx = await tlsFixture();
    const port = await freePort();
    const certs = "/etc/webhook/certs";
    const container = startContainer(
      containerRun("webhook", ["vaultlet", "webhook", `-listen=127.0.0.1:${port}`], {
        env: [
          "AGENT_INJECT_VAULT_ADDR=https://vault.vault.svc:8200",
          `AGENT_INJECT_TLS_CERT_FILE=${certs}/tls.crt`,
          `AGENT_INJECT_TLS_KEY_FILE=${certs}/tls.key`,
        ],
        hostNetwork: true,
        binds: [
          { source: fx.certFile, destination: `${certs}/tls.crt`, readonly: true },
          { source: fx.keyFile, destination: `${certs}/tls.key`, readonly: true },
        ],
      }),
    );
    try {
      await waitUntil(
        "the webhook in its container to listen",
        async () => {
          if (container.proc.hasExited) throw new GiveUp(container.proc.output());
          return container.proc.output().includes('"webhook listening"') || undefined;
        },
        30_000,
      );
      const review = admissionReview({ object: annotatedPod() });
      const res = await postReview(`https://127.0.0.1:${port}`, fx.ca.certPem, review);
      const response = res.json().response;
      assert.equal(response.allowed, true);
      const patch = Buffer.from(response.patch, "base64").toString("utf8");
      assert.match(patch, /"vaultlet","agent"/);
      await container.proc.stop("SIGTERM");
      const end = await container.finished();
      assert.equal(end.code, 0, end.output);
    } finally {
      await container.proc.stop("SIGKILL");
      await container.finished();
      await fx.cleanup();
    }
  });

  test("no shell: a command through /bin/sh cannot start", async () => {
    const run = await runImage("agent", ["/bin/sh", "-c", "true"]);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /no such file or directory|not found/i);
  });

  test("agent: `vaultlet agent -config-env=VAULT_CONFIG` in once mode renders a KV secret from a real OpenBao into a writable mount", async () => {
    const password = "image-Pa55word";
    const { bao, jwtPath } = await baoWithJwt(KV_POLICY);
    await bao.enableKvV2("kv");
    await kvPut(bao, "kv", "app", { password });
    const secrets = makeTempDir("vaultlet-image-secrets-");
    chownSync(secrets, NONROOT.uid, NONROOT.gid);
    const config = { ...agentConfig(bao.address), exit_after_auth: true };
    const run = await runImage("agent", AGENT_ARGS, agentRun(config, jwtPath, secrets));
    assert.equal(run.code, 0, run.output);
    assert.equal(readFileSync(join(secrets, "password"), "utf8"), password);
    assert.equal(statSync(join(secrets, "password")).uid, NONROOT.uid);
    assert.ok(!run.output.includes(password), "the secret is not logged");
  });

  test("agent sidecar: ready after the first render, re-renders a rotated secret, exits 0 on SIGTERM as process 1", async () => {
    const { bao, jwtPath } = await baoWithJwt(KV_POLICY);
    await bao.enableKvV2("kv");
    await kvPut(bao, "kv", "app", { password: "image-first-Pa55word" });
    const secrets = makeTempDir("vaultlet-image-secrets-");
    chownSync(secrets, NONROOT.uid, NONROOT.gid);
    const port = await freePort();
    const config = {
      ...agentConfig(bao.address),
      template_config: { static_secret_render_interval: "1s" },
      vaultlet: { listen: `127.0.0.1:${port}` },
    };
    const container = startContainer(
      containerRun("agent", AGENT_ARGS, agentRun(config, jwtPath, secrets)),
    );
    const rendered = () => readFileSync(join(secrets, "password"), "utf8");
    try {
      await eventually("the agent in its container to be ready", 30_000, async () => {
        if (container.proc.hasExited) throw new GiveUp(container.proc.output());
        const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
        return res?.status === 200;
      });
      assert.equal(rendered(), "image-first-Pa55word");
      await kvPut(bao, "kv", "app", { password: "image-rotated-Pa55word" });
      await eventually(
        "the rotated secret to be rendered",
        30_000,
        () => rendered() === "image-rotated-Pa55word",
      );
      await container.proc.stop("SIGTERM");
      const end = await container.finished();
      assert.equal(end.code, 0, end.output);
    } finally {
      await container.proc.stop("SIGKILL");
      await container.finished();
    }
  });
});

describe("the benchmark-only bao image (--bench)", () => {
  test("OpenBao's static bao alone at /bin/bao, no shell, no node; `bao version` runs as uid 65532 under runc", async () => {
    const { rootfs, config } = image("bench");
    assert.deepEqual(config.config.Entrypoint, ["/bin/bao"]);
    assert.equal(config.config.User, `${NONROOT.uid}:${NONROOT.gid}`);
    assert.ok(statSync(join(rootfs, "bin/bao")).isFile());
    for (const absent of ["bin/sh", "nodejs", "app", "lib", "lib64"]) {
      assert.ok(!existsSync(join(rootfs, absent)), `${absent} is not in the image`);
    }
    const run = await runImage("bench", ["bao", "version"]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /^OpenBao v2\.7\.2 /);
  });
});

describe("images agree with the webhook and the chart", () => {
  test("the injected agent command is the agent image's `vaultlet` on PATH", () => {
    assert.deepEqual(AGENT_COMMAND.slice(0, 2), ["vaultlet", "agent"]);
    assert.equal(VAULTLET_LINK, `/usr/local/bin/${AGENT_COMMAND[0]}`);
  });

  test("the chart's default images are the archives' names at its appVersion", async () => {
    const objects = parseObjects(await renderChart({ release: "vaultlet", namespace: "vaultlet" }));
    const c = only(objects, "Deployment").spec.template.spec.containers[0];
    assert.deepEqual(c.args, ["webhook"]);
    const chart = parse(
      await readFile(join(REPO_ROOT, "deploy/chart/vaultlet/Chart.yaml"), "utf8"),
    );
    const values = parse(
      await readFile(join(REPO_ROOT, "deploy/chart/vaultlet/values.yaml"), "utf8"),
    );
    assert.equal(chart.appVersion, VERSION);
    assert.equal(
      `docker.io/${values.image.repository}:${chart.appVersion}`,
      imageName(IMAGES.webhook, VERSION),
    );
    assert.equal(
      `docker.io/${values.agentImage.repository}:${chart.appVersion}`,
      imageName(IMAGES.agent, VERSION),
    );
    assert.equal(c.image, `${values.image.repository}:${chart.appVersion}`);
  });
});
