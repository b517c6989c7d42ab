/**
 * doctor for approle and token_file against a real OpenBao: the same kind of
 * findings as for jwt and kubernetes (a wrong role_id or secret_id, a missing
 * file, a dead or parent-bound token, a policy that misses the path).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { runDoctor, type DoctorInput } from "../../../agent/doctor/run.ts";
import { assertNoSecretsIn } from "../../support/log-capture.ts";
import { startOpenBao, type OpenBaoServer } from "../../support/openbao.ts";

const BIN = path.resolve(import.meta.dirname, "../../../deploy/cli/bin.ts");
let bao: OpenBaoServer;
let dir: string;
let roleId = "";
let files = 0;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vaultlet-doctor-creds-"));
  bao = await startOpenBao({ autoTeardown: false });
  await bao.enableKvV2("kv");
  await bao.kvPut("kv", "app/db", { password: "approle-doctor-value" });
  await bao.writePolicy("app", 'path "kv/data/app/*" { capabilities = ["read"] }');
  await bao.enableAuth("approle", "approle");
  await bao.api("POST", "auth/approle/role/web", { token_policies: ["app"], token_ttl: "5m" });
  roleId = (await bao.api<{ data: { role_id: string } }>("GET", "auth/approle/role/web/role-id"))
    .data.role_id;
});

after(async () => {
  await bao.stop();
  await rm(dir, { recursive: true, force: true });
});

async function file(text: string): Promise<string> {
  const p = path.join(dir, `f${files++}`);
  await writeFile(p, text, { mode: 0o600 });
  return p;
}

async function secretId(): Promise<string> {
  return (
    await bao.api<{ data: { secret_id: string } }>("POST", "auth/approle/role/web/secret-id", {})
  ).data.secret_id;
}

function doctor(over: Partial<DoctorInput>) {
  return runDoctor({
    address: bao.address,
    method: "approle",
    mount: "auth/approle",
    role: "",
    tokenFile: "",
    checkPaths: [],
    ...over,
  });
}

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe("doctor: approle", () => {
  it("logs in, reads an allowed path, and explains a path the policy misses", async () => {
    const report = await doctor({
      tokenFile: await file(roleId),
      secretIdFile: await file(await secretId()),
      checkPaths: ["kv/data/app/db", "kv/data/other"],
    });
    assert.equal(report.login?.ok, true);
    assert.deepEqual(report.login?.policies.sort(), ["app", "default"]);
    assert.deepEqual(codes(report.paths[0]!.findings), ["PATH_READABLE"]);
    assert.deepEqual(codes(report.paths[1]!.findings), ["PERMISSION_DENIED"]);
    assert.equal(report.ok, false);
  });

  it("a wrong secret_id: Vault's one answer, then which half is wrong with an operator's token", async () => {
    const input = { tokenFile: await file(roleId), secretIdFile: await file("not-a-secret-id") };
    const plain = await doctor(input);
    assert.deepEqual(codes(plain.loginFindings), ["APPROLE_CREDENTIALS_INVALID"]);
    assert.match(plain.loginFindings[0]!.fix!, /set VAULT_TOKEN/);
    const told = await doctor({ ...input, operatorToken: bao.rootToken });
    assert.deepEqual(codes(told.loginFindings), ["APPROLE_SECRET_ID_INVALID"]);
    assert.match(
      told.loginFindings[0]!.message,
      /belongs to role "web", but Vault does not know the secret ID/,
    );
    assert.equal(told.ok, false);
  });

  it("a wrong role_id names the roles that exist", async () => {
    const report = await doctor({
      tokenFile: await file("00000000-0000-0000-0000-000000000000"),
      secretIdFile: await file(await secretId()),
      operatorToken: bao.rootToken,
    });
    assert.deepEqual(codes(report.loginFindings), ["APPROLE_ROLE_ID_UNKNOWN"]);
    assert.match(report.loginFindings[0]!.message, /roles: "web"/);
  });

  it("a missing secret_id file and a missing secret_id", async () => {
    const missing = await doctor({
      tokenFile: await file(roleId),
      secretIdFile: path.join(dir, "nope"),
    });
    assert.deepEqual(codes(missing.loginFindings), ["CREDENTIAL_FILE_UNREADABLE"]);
    assert.match(missing.loginFindings[0]!.message, /secret_id file .*nope: ENOENT/);
    const none = await doctor({ tokenFile: await file(roleId) });
    assert.deepEqual(codes(none.loginFindings), ["APPROLE_SECRET_ID_MISSING"]);
  });
});

describe("doctor: token_file", () => {
  const tokenDoctor = (over: Partial<DoctorInput>) =>
    doctor({ method: "token_file", mount: "auth/token", ...over });

  it("a live orphan token: path checks, and the user's token is not revoked", async () => {
    const { client_token } = await bao.createToken({ policies: ["app"], ttl: "1h", orphan: true });
    const report = await tokenDoctor({
      tokenFile: await file(client_token),
      checkPaths: ["kv/data/app/db"],
    });
    assert.equal(report.login?.ok, true);
    assert.deepEqual(codes(report.loginFindings), []);
    assert.equal(report.ok, true);
    await bao.api("GET", "auth/token/lookup-self", undefined, { token: client_token });
  });

  it("a token that dies with its parent is a warning; once the parent is revoked it is not valid", async () => {
    await bao.writePolicy("creator", 'path "auth/token/create" { capabilities = ["update"] }');
    const parent = await bao.createToken({ policies: ["app", "creator"], ttl: "1h" });
    const child = (
      await bao.api<{ auth: { client_token: string } }>(
        "POST",
        "auth/token/create",
        { policies: ["app"], ttl: "30m" },
        { token: parent.client_token },
      )
    ).auth.client_token;
    const tokenFile = await file(child);
    const alive = await tokenDoctor({ tokenFile });
    assert.deepEqual(codes(alive.loginFindings), ["TOKEN_NOT_ORPHAN"]);
    await bao.api("POST", "auth/token/revoke", { token: parent.client_token });
    const dead = await tokenDoctor({ tokenFile });
    assert.deepEqual(codes(dead.loginFindings), ["TOKEN_NOT_VALID"]);
    assert.match(dead.loginFindings[0]!.message, /revoked with its parent/);
    assert.equal(dead.ok, false);
  });

  it("a missing token file", async () => {
    const report = await tokenDoctor({ tokenFile: path.join(dir, "missing-token") });
    assert.deepEqual(codes(report.loginFindings), ["CREDENTIAL_FILE_UNREADABLE"]);
  });

  it("`vaultlet doctor -config` reads token_file_path from the agent config and never prints the token", async () => {
    const { client_token } = await bao.createToken({ policies: ["app"], ttl: "1h", orphan: true });
    const tokenFile = await file(client_token);
    const config = await file(
      `vault { address = "${bao.address}" }\nauto_auth {\n  method "token_file" {\n    config = { token_file_path = "${tokenFile}" }\n  }\n}\n`,
    );
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [BIN, "doctor", `-config=${config}`, "-check-path=kv/data/other"],
        {
          env: { PATH: process.env.PATH },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let text = "";
      child.stdout.on("data", (d) => (text += d));
      child.stderr.on("data", (d) => (text += d));
      child.once("exit", (code) => resolve({ code, text }));
    });
    assertNoSecretsIn(out.text, [client_token, bao.rootToken]);
    assert.equal(out.code, 1, out.text);
    assert.match(out.text, /token: .*auth\/token\/lookup-self \(token_file\)/);
    assert.match(out.text, /PERMISSION_DENIED/);
  });
});
