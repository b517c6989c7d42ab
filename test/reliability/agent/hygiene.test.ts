/**
 * Secret hygiene of the agent: rendered files get 0640 unless the template
 * says otherwise, secrets land only in the destination volume (no leftover
 * temporary files, no copies elsewhere under the temp directory), and the
 * Vault token is written only where a sink is configured.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  kvPut,
  runInProcess,
} from "../../agent/agent-harness.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;
const MAX_SCANNED_BYTES = 1 << 20;

/**
 * Files under `root` changed since `since` whose bytes contain `needle`,
 * skipping `skip` (the OpenBao server's own directory). Other tests running
 * at the same time write here too, but never this test's random values.
 */
function filesContaining(root: string, needle: string, since: number, skip: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || skip.includes(dir)) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // removed meanwhile, or not ours to read
    }
    for (const name of names) {
      const p = join(dir, name);
      try {
        const st = statSync(p, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) walk(p, depth + 1);
        else if (st.isFile() && st.mtimeMs >= since && st.size <= MAX_SCANNED_BYTES) {
          if (readFileSync(p).includes(needle)) found.push(p);
        }
      } catch {
        // a file that vanished while scanning is not a leak
      }
    }
  };
  walk(root, 0);
  return found;
}

test("rendered files default to 0640, perms are honoured, and the secrets live only in the destination volume", async () => {
  const since = Date.now() - 1000;
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  const secret = `hygiene-${crypto.randomUUID()}`;
  await kvPut(bao, "kv", "app", { password: secret });
  const volume = join(dir, "secrets");
  mkdirSync(volume);
  const text = '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}';
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      exit_after_auth: true,
      template: [
        fileTemplate(join(volume, "default"), text),
        fileTemplate(join(volume, "private"), text, { perms: 0o600 }),
        fileTemplate(join(volume, "nested/deeper/file"), text, { create_dest_dirs: true }),
      ],
    }),
  );
  assert.equal(await agent.done, 0);
  assert.equal(statSync(join(volume, "default")).mode & 0o777, 0o640);
  assert.equal(statSync(join(volume, "private")).mode & 0o777, 0o600);
  assert.equal(statSync(join(volume, "nested/deeper/file")).mode & 0o777, 0o640);
  // no temporary files left beside them
  assert.deepEqual(readdirSync(volume, { recursive: true }).sort(), [
    "default",
    "nested",
    "nested/deeper",
    "nested/deeper/file",
    "private",
  ]);
  const holders = filesContaining(tmpdir(), secret, since, [bao.dir]).map((p) =>
    relative(volume, p),
  );
  assert.deepEqual(holders.sort(), ["default", "nested/deeper/file", "private"]);
  agent.logs.assertNoSecrets([secret]);
});

test("the Vault token is written only where a sink is configured, with the sink's mode; without a sink it is written nowhere", async () => {
  const since = Date.now() - 1000;
  const { bao, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: `hygiene-${crypto.randomUUID()}` });
  const text = '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}';

  const sinkDir = join(dir, "sink");
  mkdirSync(sinkDir);
  const sinkPath = join(sinkDir, "token");
  const withSink = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      auto_auth: {
        ...jwtAuth(bao, jwtPath).auto_auth,
        sinks: [{ type: "file", config: { path: sinkPath, mode: 0o600 } }],
      },
      template: [fileTemplate(join(dir, "with-sink"), text)],
    }),
  );
  let sinkToken: string;
  try {
    const parts = await withSink.parts();
    await eventually("rendered", 15_000, () => parts.runner.ready);
    sinkToken = parts.auth.current()!.token;
    assert.equal(readFileSync(sinkPath, "utf8"), sinkToken);
    assert.equal(statSync(sinkPath).mode & 0o777, 0o600);
    assert.deepEqual(filesContaining(tmpdir(), sinkToken, since, [bao.dir]), [sinkPath]);
  } finally {
    await withSink.stop();
  }

  const withoutSink = runInProcess(
    baseConfig({
      ...jwtAuth(bao, jwtPath),
      template: [fileTemplate(join(dir, "without-sink"), text)],
    }),
  );
  try {
    const parts = await withoutSink.parts();
    await eventually("rendered", 15_000, () => parts.runner.ready);
    const token = parts.auth.current()!.token;
    assert.notEqual(token, sinkToken);
    assert.deepEqual(filesContaining(tmpdir(), token, since, [bao.dir]), []);
  } finally {
    await withoutSink.stop();
  }
});
