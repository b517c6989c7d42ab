import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAgentConfig, parseAgentConfigJson } from "../../../shared/agent-config/index.ts";
import { problemsOf } from "./helpers.ts";

function templateFromJson(fields: object) {
  const doc = { template: [{ destination: "/a", contents: "x", ...fields }] };
  return parseAgentConfigJson(JSON.stringify(doc), "t.json").config.template[0]!;
}

async function templateFromHcl(fields: string) {
  const hcl = `template {\n  destination = "/a"\n  contents = "x"\n${fields}\n}\n`;
  return (await parseAgentConfig(hcl, { source: "t.hcl" })).config.template[0]!;
}

test("perms: octal strings in both formats, HCL octal numbers, JSON numbers as mode values", async () => {
  for (const perms of ['"0640"', '"640"', "0640", '"0o640"', "0x1a0"]) {
    assert.equal(
      (await templateFromHcl(`  perms = ${perms}`)).perms,
      0o640,
      `HCL perms = ${perms}`,
    );
  }
  assert.equal((await templateFromHcl("  perms = 0")).perms, 0);
  // HCL reads 640 as decimal (Vault would set mode 0o1200): refused with the fix.
  assert.deepEqual(await problemsOf(() => templateFromHcl("  perms = 640")), [
    't.hcl:4: template[0].perms: expected file permissions as an octal string like "0640", got 640 (an HCL number without a leading 0 is decimal; write "0640" as a string, or 0640)',
  ]);
  assert.deepEqual(await problemsOf(() => templateFromHcl("  perms = 400")), [
    't.hcl:4: template[0].perms: expected file permissions as an octal string like "0640", got 400 (an HCL number without a leading 0 is decimal; write "0400" as a string, or 0400)',
  ]);
  assert.deepEqual(
    await problemsOf(() =>
      parseAgentConfig(
        'auto_auth {\n  method "jwt" {\n    config = { role = "r", path = "/t" }\n  }\n' +
          '  sink "file" {\n    config = {\n      path = "/s"\n      mode = 600\n    }\n  }\n}\n',
        { source: "s.hcl" },
      ),
    ),
    [
      's.hcl:8: auto_auth.sink[0].config.mode: expected file permissions as an octal string like "0640", got 600 (an HCL number without a leading 0 is decimal; write "0600" as a string, or 0600)',
    ],
  );
  assert.equal(templateFromJson({ perms: "0640" }).perms, 0o640);
  assert.equal(templateFromJson({ perms: "600" }).perms, 0o600);
  // Vault decodes a JSON number as the mode value itself: 416 is 0o640.
  assert.equal(templateFromJson({ perms: 416 }).perms, 0o640);
  assert.equal(templateFromJson({ perms: "0000" }).perms, 0);
});

test("booleans: true/false and the string forms Vault parses", async () => {
  for (const [raw, want] of [
    ["true", true],
    ['"true"', true],
    ['"1"', true],
    ['"T"', true],
    ["false", false],
    ['"False"', false],
    ['"0"', false],
  ] as const) {
    assert.equal(
      (await templateFromHcl(`  error_on_missing_key = ${raw}`)).error_on_missing_key,
      want,
    );
  }
  assert.equal(templateFromJson({ create_dest_dirs: 0 }).create_dest_dirs, false);
});

test("durations: Go syntax or seconds, as numbers or strings", async () => {
  for (const [raw, ms] of [
    ['"30s"', 30_000],
    ['"1m30s"', 90_000],
    ['"500ms"', 500],
    ["45", 45_000],
    ['"45"', 45_000],
    ["1.5", 1500],
  ] as const) {
    assert.equal((await templateFromHcl(`  command_timeout = ${raw}`)).command_timeout, ms);
  }
});

test("wait: a block, or consul-template's min:max string", () => {
  assert.deepEqual(templateFromJson({ wait: { min: "5s", max: "1m" } }).wait, {
    min: 5000,
    max: 60_000,
  });
  assert.deepEqual(templateFromJson({ wait: "5s:1m" }).wait, { min: 5000, max: 60_000 });
  assert.deepEqual(templateFromJson({ wait: "10s" }).wait, { min: 10_000 });
});

test("command: a string runs through /bin/sh unsplit; a list is argv", async () => {
  const sh = (s: string) => ["/bin/sh", "-c", s];
  assert.deepEqual(templateFromJson({ command: "nginx -s reload" }).command, sh("nginx -s reload"));
  assert.deepEqual(
    templateFromJson({ command: "kill -HUP $(cat /run/app.pid) && echo 'done'" }).command,
    sh("kill -HUP $(cat /run/app.pid) && echo 'done'"),
  );
  assert.deepEqual(templateFromJson({ command: ["nginx", "-s", "reload"] }).command, [
    "nginx",
    "-s",
    "reload",
  ]);
  assert.deepEqual(templateFromJson({ command: ["/usr/local/bin/reload"] }).command, [
    "/usr/local/bin/reload",
  ]);
  // One element with spaces is how Vault Agent stores a string command; it runs through the shell.
  assert.deepEqual(
    templateFromJson({ command: ["nginx -s reload"] }).command,
    sh("nginx -s reload"),
  );
  assert.deepEqual(
    (await templateFromHcl('  command = "pkill -HUP app"')).command,
    sh("pkill -HUP app"),
  );
  assert.deepEqual((await templateFromHcl('  exec {\n    command = ["a", "b"]\n  }')).exec, {
    command: ["a", "b"],
  });
  assert.deepEqual((await templateFromHcl('  exec {\n    command = "reload-app"\n  }')).exec, {
    command: sh("reload-app"),
  });
});

test("exec: signals are normalised; a one-word string is a program with no arguments", () => {
  const exec = (e: object) =>
    parseAgentConfigJson(JSON.stringify({ exec: e }), "e.json").config.exec;
  assert.deepEqual(
    exec({ command: "/app", restart_stop_signal: "hup", change_signal: "SIGUSR2" }),
    {
      command: ["/app"],
      restart_on_secret_changes: "always",
      restart_stop_signal: "SIGHUP",
      change_signal: "SIGUSR2",
    },
  );
  assert.equal(
    exec({ command: ["/app"], restart_on_secret_changes: "never" })?.restart_on_secret_changes,
    "never",
  );
});

test("auth method: mount_path defaults to auth/<type>, trailing slash trimmed, labels lower-cased", async () => {
  const method = async (hcl: string) =>
    (await parseAgentConfig(`auto_auth {\n${hcl}\n}\n`, { source: "m.hcl" })).config.auto_auth
      ?.method;
  assert.equal(
    (await method('method "Kubernetes" {\n config = { role = "r" }\n}'))?.mount_path,
    "auth/kubernetes",
  );
  assert.equal(
    (
      await method(
        'method {\n type = "jwt"\n mount_path = "auth/ci/"\n config = { path = "/t", role = "r" }\n}',
      )
    )?.mount_path,
    "auth/ci",
  );
});

test("cache use_auto_auth_token: true, false or force; null values count as unset", () => {
  const cache = (v: unknown) =>
    parseAgentConfigJson(JSON.stringify({ cache: { use_auto_auth_token: v } }), "c.json").config
      .cache;
  assert.deepEqual(cache("force"), { use_auto_auth_token: "force" });
  assert.deepEqual(cache("FORCE"), { use_auto_auth_token: "force" });
  assert.deepEqual(cache("true"), { use_auto_auth_token: true });
  assert.deepEqual(cache(false), { use_auto_auth_token: false });
  assert.deepEqual(cache(null), {});
});

test("listener defaults: tcp address 127.0.0.1:8200, TLS on unless disabled", () => {
  const { config } = parseAgentConfigJson(
    JSON.stringify({ listener: { tcp: { tls_cert_file: "/c.pem", tls_key_file: "/k.pem" } } }),
    "l.json",
  );
  assert.deepEqual(config.listener, [
    {
      type: "tcp",
      address: "127.0.0.1:8200",
      tls_disable: false,
      tls_cert_file: "/c.pem",
      tls_key_file: "/k.pem",
    },
  ]);
});

test("an empty config is valid and has the list and boolean defaults", () => {
  assert.deepEqual(parseAgentConfigJson("{}", "e.json"), {
    config: { exit_after_auth: false, template: [], env_template: [], listener: [] },
    warnings: [],
  });
});
