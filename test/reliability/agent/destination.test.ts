/**
 * Destination faults: the output directory stops accepting writes, a
 * destination's parent is not a directory, and a symlinked directory inside
 * the volume. Tests run as root, which ignores permission bits, so "not
 * writable" is made with the immutable attribute (chattr +i), which binds
 * root too: creating the temporary file in the directory fails with EPERM.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  kvPut,
  runInProcess,
  tempDir,
} from "../../agent/agent-harness.ts";
import {
  assertContentKept,
  assertBackoff,
  metricsOf,
  recordArrivals,
  sample,
  sleep,
  watchContent,
} from "./kit.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;
const TEMPLATE = '{{ with secret "kv/app" }}PASSWORD={{ .Data.data.password }}{{ end }}\n';

function setImmutable(dir: string, on: boolean): void {
  execFileSync("chattr", [on ? "+i" : "-i", dir], { stdio: "pipe" });
}

test("destination not writable: the last good file stays, re-renders retry with backoff, the new value lands once writable, metrics and logs name the fault", async (t) => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "good-Pa55word-1" });
  const outDir = join(dir, "out");
  mkdirSync(outDir);
  const out = join(outDir, "app.env");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: 300 },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  t.after(() => setImmutable(outDir, false));
  try {
    await eventually("first render", 15_000, () => existsSync(out));
    const parts = await agent.parts();
    const errorsBefore = sample(await metricsOf(parts), "vaultlet_agent_render_errors_total");

    setImmutable(outDir, true);
    const watch = watchContent(out, (s) => s === "PASSWORD=good-Pa55word-1\n");
    const failedLines = () => agent.logs.messages("re-render failed").length;
    const arrivals = recordArrivals(failedLines);
    await kvPut(bao, "kv", "app", { password: "new-Pa55word-2" });
    await eventually("a failed write", 10_000, () => failedLines() >= 1);
    await sleep(3000);
    assertContentKept(watch);
    // one failed write per retry: a handful in 3 s, spaced by a growing, jittered wait
    assertBackoff(arrivals.stop(), 8);
    const failure = agent.logs.messages("re-render failed")[0]!;
    assert.match(String(failure.error), /OUTPUT_NOT_WRITABLE: cannot write .*app\.env.*EPERM/);
    const metrics = await metricsOf(parts);
    assert.ok(sample(metrics, "vaultlet_agent_render_errors_total") > errorsBefore);

    setImmutable(outDir, false);
    await eventually("new value rendered after the fault", 10_000, () =>
      readFileSync(out, "utf8") === "PASSWORD=new-Pa55word-2\n" ? true : undefined,
    );
    agent.logs.assertNoSecrets(["good-Pa55word-1", "new-Pa55word-2", parts.auth.current()?.token]);
  } finally {
    await agent.stop();
  }
});

test("destination whose parent is a file: the agent reports it, stays unready, and renders once the directory exists", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "good-Pa55word-3" });
  const blocker = join(dir, "conf");
  writeFileSync(blocker, "a file where a directory belongs\n");
  const out = join(blocker, "app.env");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template_config: { static_secret_render_interval: 300 },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  try {
    await eventually("the failure logged", 15_000, () =>
      agent.logs.messages("template not rendered yet; waiting for its secrets").length > 0
        ? true
        : undefined,
    );
    const parts = await agent.parts();
    assert.equal(parts.runner.ready, false);
    const first = agent.logs.messages("template not rendered yet; waiting for its secrets")[0]!;
    assert.match(String(first.error), /OUTPUT_NOT_WRITABLE: .*conf.* is not a directory/);
    assert.ok(sample(await metricsOf(parts), "vaultlet_agent_render_errors_total") >= 1);
    const res = await fetch(`http://${parts.ops!.address}/ready`);
    assert.notEqual(res.status, 200);

    rmSync(blocker);
    mkdirSync(blocker);
    await eventually("rendered once the directory exists", 15_000, () =>
      existsSync(out) && readFileSync(out, "utf8") === "PASSWORD=good-Pa55word-3\n"
        ? true
        : undefined,
    );
    await eventually("ready", 5000, () => parts.runner.ready);
    agent.logs.assertNoSecrets(["good-Pa55word-3", parts.auth.current()?.token]);
  } finally {
    await agent.stop();
  }
});

test("a symlinked directory inside the volume is refused: nothing is written where it points", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "good-Pa55word-4" });
  const elsewhere = tempDir("vaultlet-elsewhere-");
  const volume = join(dir, "secrets");
  mkdirSync(volume);
  symlinkSync(elsewhere, join(volume, "link"));
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      exit_after_auth: true,
      template: [fileTemplate(join(volume, "link", "app.env"), TEMPLATE)],
    }),
  );
  assert.equal(await agent.done, 1);
  assert.equal(existsSync(join(elsewhere, "app.env")), false, "nothing written through the link");
  const failed = agent.logs.messages("agent failed")[0];
  assert.match(String(failed?.error), /OUTPUT_PATH_SYMLINK: .*link.* is a symlink/);
  agent.logs.assertNoSecrets(["good-Pa55word-4"]);
});

test("destination not writable with exit_on_retry_failure: after the retries the agent exits 1 naming the destination, and the last good file stays", async (t) => {
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "good-Pa55word-5" });
  const outDir = join(dir, "out");
  mkdirSync(outDir);
  const out = join(outDir, "app.env");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      vault: { address: bao.address, retry: { num_retries: 2 } },
      template_config: { static_secret_render_interval: 300, exit_on_retry_failure: true },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  t.after(() => setImmutable(outDir, false));
  await eventually("first render", 15_000, () => existsSync(out));
  setImmutable(outDir, true);
  const watch = watchContent(out, (s) => s === "PASSWORD=good-Pa55word-5\n");
  await kvPut(bao, "kv", "app", { password: "new-Pa55word-6" });
  assert.equal(await agent.done, 1);
  assertContentKept(watch);
  const failed = agent.logs.messages("agent failed");
  assert.equal(failed.length, 1);
  assert.match(
    String(failed[0]!.error),
    /RENDER_RETRIES_EXHAUSTED: template .*app\.env still failed after 3 tries: OUTPUT_NOT_WRITABLE/,
  );
  assert.equal(agent.logs.messages("re-render failed").length, 3);
  agent.logs.assertNoSecrets(["good-Pa55word-5", "new-Pa55word-6"]);
});
