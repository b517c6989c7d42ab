import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { startOpenBao } from "./openbao.ts";
import { BaoApiError } from "./openbao-admin.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

test("dev server: KV v1 and v2, policies, tokens, audit log, stop frees pid and port", async (t) => {
  const bao = await startOpenBao({ t, audit: true });
  assert.match(bao.address, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(bao.rootToken, /^root-[0-9a-f]{24}$/);
  assert.ok(bao.unsealKey.length > 20);

  await bao.enableKvV2("kv");
  await bao.enableKvV1("kv1");
  assert.deepEqual(await bao.kvPut("kv", "app/db", { user: "alice" }), { version: 1 });
  assert.deepEqual(await bao.kvPut("kv", "app/db", { user: "bob" }), { version: 2 });
  await bao.kvPut("kv1", "app/db", { user: "carol" });

  await bao.writePolicy("read-app", 'path "kv/data/app/*" { capabilities = ["read"] }');
  const auth = await bao.createToken({ policies: ["read-app"], ttl: "10m" });
  assert.deepEqual(auth.policies, ["default", "read-app"]);
  assert.equal(auth.lease_duration, 600);

  const v2 = await bao.api<{ data: { data: { user: string } } }>(
    "GET",
    "kv/data/app/db",
    undefined,
    {
      token: auth.client_token,
    },
  );
  assert.equal(v2.data.data.user, "bob");
  const v1 = await bao.api<{ data: { user: string } }>("GET", "kv1/app/db");
  assert.equal(v1.data.user, "carol");

  await assert.rejects(
    bao.api("GET", "kv1/app/db", undefined, { token: auth.client_token }),
    (err: unknown) => err instanceof BaoApiError && err.status === 403,
  );

  const mine = bao.auditRequests({ accessor: auth.accessor });
  assert.deepEqual(
    mine.map((r) => `${r.operation} ${r.path}`),
    ["read kv/data/app/db", "read kv1/app/db"],
  );
  assert.ok(bao.auditRequests({ excludeRoot: true }).every((r) => !r.policies.includes("root")));

  await bao.kvDelete("kv", "app/db", { allVersions: true });
  await assert.rejects(bao.api("GET", "kv/data/app/db"), (err: unknown) => {
    return err instanceof BaoApiError && err.status === 404;
  });

  const { pid, port } = bao;
  await bao.stop();
  assert.equal(alive(pid), false, "server process is gone");
  assert.equal(await connects(port), false, "port is no longer served");
});

test("jwt auth trusts the test signer: plain, GitLab- and GitHub-shaped tokens", async (t) => {
  const bao = await startOpenBao({ t });
  const signer = await bao.enableJwtAuth({ mount: "jwt" });
  await bao.writePolicy("ci", 'path "sys/health" { capabilities = ["read"] }');
  await bao.jwtRole("jwt", "app", {
    boundAudiences: ["vault"],
    boundSubject: "app:web",
    policies: ["ci"],
    tokenTtl: "5m",
    tokenMaxTtl: "10m",
  });
  await bao.jwtRole("jwt", "gitlab", {
    boundAudiences: ["https://bao.example.test"],
    boundClaims: { project_path: "group/app", ref: "main" },
    userClaim: "user_login",
    policies: ["ci"],
  });
  await bao.jwtRole("jwt", "github", {
    boundAudiences: ["vault"],
    boundClaims: { repository: "org/app" },
    userClaim: "actor",
    policies: ["ci"],
  });

  const app = await bao.login("jwt", {
    role: "app",
    jwt: await signer.signJwt({ sub: "app:web", aud: ["vault"] }),
  });
  assert.ok(app.token_policies.includes("ci"));
  assert.equal(app.lease_duration, 300);

  const gitlab = await bao.login("jwt", {
    role: "gitlab",
    jwt: await signer.gitlabIdToken({
      projectPath: "group/app",
      audience: "https://bao.example.test",
    }),
  });
  assert.ok(gitlab.token_policies.includes("ci"));

  const github = await bao.login("jwt", {
    role: "github",
    jwt: await signer.githubActionsToken({ repository: "org/app", audience: "vault" }),
  });
  assert.ok(github.token_policies.includes("ci"));

  // wrong audience and wrong subject are refused by the real server
  await assert.rejects(
    bao.login("jwt", {
      role: "app",
      jwt: await signer.signJwt({ sub: "app:web", aud: ["api"] }),
    }),
    (err: unknown) => err instanceof BaoApiError && /aud/i.test(err.message),
  );
  await assert.rejects(
    bao.login("jwt", {
      role: "app",
      jwt: await signer.signJwt({ sub: "app:other", aud: ["vault"] }),
    }),
    (err: unknown) => err instanceof BaoApiError && /sub/i.test(err.message),
  );
});

test("file storage: seal, unseal, freeze, resume, restart keeps data and address", async (t) => {
  const bao = await startOpenBao({ t, storage: "file" });
  await bao.enableKvV2("kv");
  await bao.kvPut("kv", "keep", { value: "survives" });

  await bao.seal();
  const sealed = await bao.health();
  assert.equal(sealed.status, 503);
  assert.equal(sealed.body.sealed, true);
  await bao.unseal();
  assert.equal((await bao.health()).status, 200);

  await bao.freeze();
  await assert.rejects(fetch(`${bao.address}/v1/sys/health`, { signal: AbortSignal.timeout(300) }));
  bao.resume();
  assert.equal((await bao.health()).status, 200);

  const { address } = bao;
  const oldPid = bao.pid;
  await bao.restart();
  assert.notEqual(bao.pid, oldPid);
  assert.equal(alive(oldPid), false);
  assert.equal(bao.address, address);
  const read = await bao.api<{ data: { data: { value: string } } }>("GET", "kv/data/keep");
  assert.equal(read.data.data.value, "survives");

  await bao.restart({ sealed: true });
  assert.equal((await bao.health()).body.sealed, true);
  await bao.unseal();
  assert.equal((await bao.health()).status, 200);
});

test("PKI: internal root and a role for one domain with a short max TTL", async (t) => {
  const bao = await startOpenBao({ t });
  const pki = await bao.enablePki("pki", { domain: "shop.test", maxTtl: "5m" });
  assert.equal(pki.role, "shop-dot-test");
  assert.match(pki.caPem, /^-----BEGIN CERTIFICATE-----/);
  const issued = await bao.api<{
    data: { certificate: string; issuing_ca: string; expiration: number };
  }>("POST", `pki/issue/${pki.role}`, { common_name: "web.shop.test", ttl: "1h" });
  assert.equal(issued.data.issuing_ca.trim(), pki.caPem.trim());
  const lifetime = issued.data.expiration - Math.floor(Date.now() / 1000);
  assert.ok(lifetime <= 300, `certificate capped at the role's max TTL, got ${lifetime}s`);
  await assert.rejects(
    bao.api("POST", `pki/issue/${pki.role}`, { common_name: "evil.example.com" }),
    (err: unknown) => err instanceof BaoApiError && err.status === 400,
  );
});
