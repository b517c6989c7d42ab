import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { startOpenBao } from "../../support/openbao.ts";
import {
  baoWithJwt,
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  kvPut,
  runInProcess,
  tempDir,
  tokenFileAuth,
} from "../agent-harness.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;
const TEMPLATE = '{{ with secret "kv/app" }}{{ .Data.data.v }}{{ end }}';

/** replace a file the way kubelet and CI runners do: write aside, rename over */
function replaceFile(path: string, text: string) {
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
}

test("token_file: a replaced token file is noticed and its token used at once; an ending token is not polled", async () => {
  const bao = await startOpenBao({ audit: true });
  await bao.writePolicy("app", POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { v: "one" });
  // A is not renewable and short: the agent can only wait for the file to change
  // (long enough for a first login and render on a loaded machine)
  const a = await bao.createToken({ policies: ["app"], ttl: "10s", renewable: false });
  const b = await bao.createToken({ policies: ["app"], ttl: "1h" });
  const dir = tempDir();
  const tokenFile = join(dir, "vault-token");
  writeFileSync(tokenFile, a.client_token);
  const out = join(dir, "out");
  const agent = runInProcess(
    baseConfig({
      ...tokenFileAuth(bao, tokenFile),
      template_config: { static_secret_render_interval: 500 },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  try {
    const parts = await agent.parts();
    await eventually("rendered with token A", 15_000, () => existsSync(out));
    const waiting = "the token file still holds the current token; waiting for a new one";
    await eventually("A near its end", 20_000, () => agent.logs.messages(waiting).length === 1);
    assert.equal(
      bao.auditRequests({ pathPrefix: "auth/token/lookup-self" }).length,
      1,
      "no polling",
    );
    replaceFile(tokenFile, b.client_token);
    await eventually(
      "token B adopted",
      10_000,
      () => parts.auth.current()?.token === b.client_token,
    );
    await kvPut(bao, "kv", "app", { v: "two" });
    await eventually("rendered with token B", 10_000, () => readFileSync(out, "utf8") === "two");
    const lastRead = bao.auditRequests({ pathPrefix: "kv/data/app", excludeRoot: true }).at(-1);
    assert.equal(lastRead?.accessor, b.accessor);
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([a.client_token, b.client_token, "one", "two"]);
  } finally {
    await agent.stop();
  }
});

test("jwt: a login failing on an expired token is retried as soon as the file is replaced, not after the backoff", async () => {
  const { bao, signer, jwtPath, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { v: "one" });
  const expired = await signer.signJwt({
    sub: "app",
    aud: "vault",
    iat: Math.floor(Date.now() / 1000) - 7200,
    exp: Math.floor(Date.now() / 1000) - 3600,
  });
  writeFileSync(jwtPath, expired);
  const out = join(dir, "out");
  const agent = runInProcess(
    baseConfig({
      // a long backoff: only the file watch can bring the next attempt early
      ...jwtAuth(bao, jwtPath, { min_backoff: 60_000, max_backoff: 120_000 }),
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  try {
    await eventually(
      "the first login failed",
      15_000,
      () => agent.logs.messages("login failed").length === 1,
    );
    const fresh = await signer.signJwt({ sub: "app", aud: "vault" });
    replaceFile(jwtPath, fresh);
    await eventually("rendered after the file changed", 20_000, () => existsSync(out));
    assert.equal(bao.auditRequests({ pathPrefix: "auth/jwt/login" }).length, 2);
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([expired, fresh, "one"]);
  } finally {
    await agent.stop();
  }
});

test("approle: role_id and secret_id files; the secret_id file is removed after reading by default", async () => {
  const bao = await startOpenBao();
  await bao.writePolicy("app", POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { v: "approle-value" });
  await bao.enableAuth("approle", "approle");
  await bao.api("POST", "auth/approle/role/app", { token_policies: ["app"] });
  const roleId = (
    await bao.api<{ data: { role_id: string } }>("GET", "auth/approle/role/app/role-id")
  ).data.role_id;
  const secretId = (
    await bao.api<{ data: { secret_id: string } }>("POST", "auth/approle/role/app/secret-id")
  ).data.secret_id;
  const dir = tempDir();
  writeFileSync(join(dir, "role-id"), roleId);
  writeFileSync(join(dir, "secret-id"), secretId);
  const out = join(dir, "out");
  const agent = runInProcess(
    baseConfig({
      vault: { address: bao.address },
      exit_after_auth: true,
      auto_auth: {
        method: {
          type: "approle",
          mount_path: "auth/approle",
          config: {
            role_id_file_path: join(dir, "role-id"),
            secret_id_file_path: join(dir, "secret-id"),
          },
          exit_on_err: false,
        },
        sinks: [],
      },
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  assert.equal(await agent.done, 0);
  assert.equal(readFileSync(out, "utf8"), "approle-value");
  assert.equal(existsSync(join(dir, "secret-id")), false);
  agent.logs.assertNoSecrets([secretId, "approle-value"]);
});

test("kubernetes-style projected volume: a token rotated by swapping the ..data symlink is noticed", async () => {
  const { bao, signer, dir } = await baoWithJwt(POLICY);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { v: "projected" });
  // the layout kubelet's atomic writer keeps: token -> ..data/token, ..data -> ..<timestamp>
  const volume = join(dir, "serviceaccount");
  const version = (name: string, jwt: string) => {
    mkdirSync(join(volume, name), { recursive: true });
    writeFileSync(join(volume, name, "token"), jwt);
  };
  const now = Math.floor(Date.now() / 1000);
  const expired = await signer.signJwt({
    sub: "app",
    aud: "vault",
    iat: now - 7200,
    exp: now - 3600,
  });
  version("..2026_01", expired);
  symlinkSync("..2026_01", join(volume, "..data"));
  symlinkSync("..data/token", join(volume, "token"));
  const out = join(dir, "out");
  const agent = runInProcess(
    baseConfig({
      ...jwtAuth(bao, join(volume, "token"), { min_backoff: 60_000, max_backoff: 120_000 }),
      template: [fileTemplate(out, TEMPLATE)],
    }),
  );
  try {
    await eventually(
      "the first login failed",
      15_000,
      () => agent.logs.messages("login failed").length === 1,
    );
    const fresh = await signer.signJwt({ sub: "app", aud: "vault" });
    version("..2026_02", fresh);
    symlinkSync("..2026_02", join(volume, "..data_tmp"));
    renameSync(join(volume, "..data_tmp"), join(volume, "..data"));
    await eventually("rendered after the rotation", 20_000, () => existsSync(out));
    assert.equal(readFileSync(out, "utf8"), "projected");
    assert.equal(await agent.stop(), 0);
    agent.logs.assertNoSecrets([expired, fresh, "projected"]);
  } finally {
    await agent.stop();
  }
});
