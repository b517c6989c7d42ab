/**
 * No container engine runs in the tests, so the image build files are checked
 * for what would break an image: the sources the bundle needs are copied into
 * the build stage, the runtime is non-root Node 24 without a shell, and the
 * `vaultlet` on PATH, the ENTRYPOINT and the bundle's shebang agree with the
 * command the webhook injects and the args the chart passes.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { parse } from "yaml";
import { BUNDLES, REPO_ROOT } from "../../deploy/images/build-bundles.ts";
import { AGENT_COMMAND, CONFIG_ENV } from "../../webhook/mutate/names.ts";
import { renderChart } from "../../deploy/chart/render.ts";
import { only, parseObjects } from "./chart-helpers.ts";

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(" ") };
    });
}

/** The repository files (outside node_modules) the bundle is made from. */
async function sourceFiles(entry: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    metafile: true,
    external: ["performance"],
    outfile: "out.mjs",
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/"));
}

function under(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir.replace(/\/$/, "")}/`);
}

const COMMANDS = { agent: ["agent", "doctor"], webhook: ["webhook", "inject"] } as const;

for (const kind of ["agent", "webhook"] as const) {
  describe(`deploy/images/${kind}.Dockerfile`, () => {
    const file = join(REPO_ROOT, `deploy/images/${kind}.Dockerfile`);
    const bundle = `/app/${BUNDLES[kind].file}`;

    test("two stages: node 24 builds the bundle, distroless Node 24 runs it as a non-root numeric user", async () => {
      const ins = instructions(await readFile(file, "utf8"));
      const froms = ins.filter((i) => i.op === "FROM").map((i) => i.args);
      assert.equal(froms.length, 2);
      const nodeVersion = ins.find((i) => i.op === "ARG" && i.args.startsWith("NODE_VERSION="));
      assert.equal(nodeVersion?.args, "NODE_VERSION=24");
      assert.match(froms[0]!, /^node:\$\{NODE_VERSION\}-\S+ AS build$/);
      assert.match(froms[1]!, /^gcr\.io\/distroless\/nodejs\$\{NODE_VERSION\}-debian\d+:nonroot$/);
      const runtime = ins.slice(ins.findIndex((i) => i.op === "FROM" && i.args === froms[1]));
      const user = runtime.find((i) => i.op === "USER")?.args ?? "";
      assert.match(
        user,
        /^[1-9]\d*:[1-9]\d*$/,
        "numeric non-root uid:gid (runAsNonRoot can check it)",
      );
      assert.ok(
        !runtime.some((i) => i.op === "RUN"),
        "nothing runs in the runtime stage: no shell there",
      );
      const build = ins.filter((i) => i.op === "RUN").map((i) => i.args);
      assert.ok(build.some((r) => r.startsWith("npm ci")));
    });

    test("the build stage copies, and the build context keeps, every source file the bundle is made from", async () => {
      const ins = instructions(await readFile(file, "utf8"));
      const copied = ins
        .filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
      const kept = (await readFile(`${file}.dockerignore`, "utf8"))
        .split("\n")
        .filter((l) => l.startsWith("!"))
        .map((l) => l.slice(1).replace(/\/\*\*$/, ""));
      const files = await sourceFiles(BUNDLES[kind].entry);
      assert.ok(files.length > 10);
      for (const f of files) {
        assert.ok(
          copied.some((c) => under(f, c)),
          `${f} is part of the bundle but not copied`,
        );
        assert.ok(
          kept.some((k) => under(f, k)),
          `${f} is excluded from the build context`,
        );
      }
      for (const f of ["package.json", "package-lock.json"]) {
        assert.ok(copied.includes(f) && kept.includes(f));
      }
    });

    test("`vaultlet` on PATH, the shebang and the ENTRYPOINT all reach the bundle's node", async () => {
      const ins = instructions(await readFile(file, "utf8"));
      const entrypoint = JSON.parse(ins.find((i) => i.op === "ENTRYPOINT")!.args) as string[];
      assert.deepEqual(entrypoint, ["/nodejs/bin/node", bundle]);
      const buildRun = ins.find((i) => i.op === "RUN" && i.args.includes("build-bundles.ts"))!.args;
      assert.ok(buildRun.includes(`--only=${kind}`));
      assert.ok(buildRun.includes("--out=/out/app"));
      assert.ok(buildRun.includes(`--shebang=${entrypoint[0]}`), "the shebang is the image's node");
      assert.ok(buildRun.includes(`ln -s ${bundle} /out/usr/local/bin/vaultlet`));
      const env = ins
        .filter((i) => i.op === "ENV")
        .map((i) => i.args)
        .join(" ");
      assert.match(env, /PATH=\/usr\/local\/bin[:\s]/);
      const cmd = JSON.parse(ins.find((i) => i.op === "CMD")!.args) as string[];
      assert.ok((COMMANDS[kind] as readonly string[]).includes(cmd[0]!));
    });
  });
}

describe("images agree with the webhook and the chart", () => {
  test("the injected agent command runs `vaultlet agent` from the agent image", () => {
    assert.equal(AGENT_COMMAND[0], "vaultlet");
    assert.ok((COMMANDS.agent as readonly string[]).includes(AGENT_COMMAND[1]));
    assert.equal(CONFIG_ENV, "VAULT_CONFIG");
  });

  test("the chart runs the webhook image with `webhook` and injects the agent image by the name its build file documents", async () => {
    const objects = parseObjects(await renderChart({ release: "vaultlet", namespace: "vaultlet" }));
    const c = only(objects, "Deployment").spec.template.spec.containers[0];
    assert.deepEqual(c.args, ["webhook"]);
    const values = parse(
      await readFile(join(REPO_ROOT, "deploy/chart/vaultlet/values.yaml"), "utf8"),
    );
    for (const [kind, repo] of [
      ["agent", values.agentImage.repository],
      ["webhook", values.image.repository],
    ] as const) {
      const text = await readFile(join(REPO_ROOT, `deploy/images/${kind}.Dockerfile`), "utf8");
      assert.ok(text.includes(`-t ${repo}:`), `${kind}.Dockerfile documents the tag ${repo}`);
    }
  });
});
