import assert from "node:assert/strict";
import { test } from "node:test";
import {
  parseAgentConfig,
  parseAgentConfigJson,
  toJson,
  type AgentConfig,
} from "../../../shared/agent-config/index.ts";
import { fixture, problemsOf } from "./helpers.ts";

const INJECTOR_SIDECAR: AgentConfig = {
  auto_auth: {
    method: {
      type: "kubernetes",
      mount_path: "auth/kubernetes",
      namespace: "team-a",
      config: { role: "app", token_path: "/var/run/secrets/kubernetes.io/serviceaccount/token" },
      min_backoff: 1000,
      max_backoff: 300_000,
      exit_on_err: false,
    },
    sinks: [{ type: "file", config: { path: "/home/vault/.vault-token" } }],
  },
  exit_after_auth: false,
  pid_file: "/home/vault/.pid",
  vault: {
    address: "https://vault.vault.svc:8200",
    ca_cert: "/vault/tls/ca.crt",
    tls_skip_verify: false,
    tls_server_name: "vault.vault.svc",
  },
  template: [
    {
      destination: "/vault/secrets/db-creds",
      contents:
        '{{- with secret "database/creds/app" -}}\npostgresql://{{ .Data.username }}:{{ .Data.password }}@postgres:5432/app\n{{- end }}\n',
      left_delimiter: "{{",
      right_delimiter: "}}",
      command: ["/bin/sh", "-c", "kill -HUP $(pidof app)"],
      perms: 0o400,
      error_on_missing_key: false,
      create_dest_dirs: true,
    },
    {
      destination: "/vault/secrets/config",
      contents:
        '{{ with secret "secret/data/app/config" }}{{ range $k, $v := .Data.data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
      left_delimiter: "{{",
      right_delimiter: "}}",
      error_on_missing_key: false,
      create_dest_dirs: true,
    },
  ],
  template_config: { exit_on_retry_failure: true, static_secret_render_interval: 300_000 },
  env_template: [],
  listener: [],
};

for (const name of [
  "injector-sidecar.json",
  "injector-sidecar-labelled.hcl",
  "injector-sidecar-typed.hcl",
]) {
  test(`the injector's generated config reads the same from ${name}`, async () => {
    const { config, warnings } = await parseAgentConfig(await fixture(name), { source: name });
    assert.deepEqual(config, INJECTOR_SIDECAR);
    assert.deepEqual(warnings, []);
  });
}

test("the JSON fast path is synchronous and gives the same config", async () => {
  const text = await fixture("injector-sidecar.json");
  assert.deepEqual(parseAgentConfigJson(text, "c.json").config, INJECTOR_SIDECAR);
});

const MINIMAL_METHOD = { type: "kubernetes", config: { role: "r" } };

test("JSON accepts Vault's alternative shapes: single objects, lists of one, labelled maps", () => {
  const parse = (doc: object) => parseAgentConfigJson(JSON.stringify(doc), "x.json").config;
  const expected = parse({
    auto_auth: { method: MINIMAL_METHOD, sink: [{ type: "file", config: { path: "/t" } }] },
    template: [{ destination: "/a", contents: "a" }],
    vault: { address: "http://127.0.0.1:8200" },
  });
  const variants = [
    {
      auto_auth: {
        method: { kubernetes: { config: { role: "r" } } },
        sink: { file: { config: { path: "/t" } } },
      },
      template: { destination: "/a", contents: "a" },
      vault: [{ address: "http://127.0.0.1:8200" }],
    },
    {
      auto_auth: [{ method: [MINIMAL_METHOD], sink: { type: "file", config: { path: "/t" } } }],
      template: [{ destination: "/a", contents: "a" }],
      vault: { address: "http://127.0.0.1:8200" },
    },
    {
      auto_auth: {
        method: { kubernetes: [{ config: [{ role: "r" }] }] },
        sink: [{ file: [{ config: { path: "/t" } }] }],
      },
      template: [{ destination: "/a", contents: "a" }],
      vault: { address: "http://127.0.0.1:8200" },
    },
  ];
  for (const v of variants) assert.deepEqual(parse(v), expected);
});

test("env_template in JSON: a map by name, or a list of such maps", () => {
  const exec = { command: ["/app"] };
  const a = parseAgentConfigJson(
    JSON.stringify({ exec, env_template: { A: { contents: "1" }, B: { contents: "2" } } }),
    "x.json",
  ).config;
  const b = parseAgentConfigJson(
    JSON.stringify({ exec, env_template: [{ A: { contents: "1" } }, { B: [{ contents: "2" }] }] }),
    "x.json",
  ).config;
  assert.deepEqual(a.env_template, [
    { name: "A", contents: "1", error_on_missing_key: false },
    { name: "B", contents: "2", error_on_missing_key: false },
  ]);
  assert.deepEqual(b, a);
});

test("repeated HCL blocks keep their order; labelled and `type =` sinks mix across blocks", async () => {
  const hcl = `
auto_auth {
  method "kubernetes" {
    config = { role = "r" }
  }
  sink "file" {
    config = { path = "/one" }
  }
  sink "file" {
    config = { path = "/two" }
  }
}
template {
  destination = "/1"
  contents = "1"
}
template {
  destination = "/2"
  source = "/2.tmpl"
}
template {
  destination = "/3"
  contents = "3"
}
`;
  const { config } = await parseAgentConfig(hcl, { source: "x.hcl" });
  assert.deepEqual(
    config.template.map((t) => t.destination),
    ["/1", "/2", "/3"],
  );
  assert.deepEqual(
    config.auto_auth?.sinks.map((s) => s.config.path),
    ["/one", "/two"],
  );
});

test("vaultlet extensions: template engine and signal, exec kill grace and change signal, vaultlet block", async () => {
  const hcl = `
template {
  destination = "/s/app.conf"
  contents    = "{{secret.password}}"
  engine      = "handlebars"
  signal {
    signal       = "HUP"
    process_name = "nginx"
  }
}
exec {
  command            = ["/app"]
  restart_kill_grace = "10s"
  change_signal      = "SIGUSR1"
}
vaultlet {
  listen             = "127.0.0.1:8201"
  revoke_on_shutdown = true
  startup_jitter     = "250ms"
}
`;
  const { config } = await parseAgentConfig(hcl, { source: "x.hcl" });
  assert.equal(config.template[0]?.engine, "handlebars");
  assert.deepEqual(config.template[0]?.signal, { signal: "SIGHUP", process_name: "nginx" });
  assert.deepEqual(config.exec, {
    command: ["/app"],
    restart_on_secret_changes: "always",
    restart_stop_signal: "SIGTERM",
    restart_kill_grace: 10_000,
    change_signal: "SIGUSR1",
  });
  assert.deepEqual(config.vaultlet, {
    listen: "127.0.0.1:8201",
    revoke_on_shutdown: true,
    startup_jitter: 250,
  });
  assert.deepEqual(toJson(config).vaultlet, {
    listen: "127.0.0.1:8201",
    revoke_on_shutdown: true,
    startup_jitter: "250ms",
  });
  assert.deepEqual(parseAgentConfigJson(JSON.stringify(toJson(config)), "rt.json").config, config);
});

test("format is taken from the extension, else from the first character", async () => {
  const json = '{"vault": {"address": "http://127.0.0.1:1"}}';
  const hcl = 'vault {\n  address = "http://127.0.0.1:1"\n}\n';
  for (const [text, source] of [
    [json, "agent.json"],
    [json, "agent.conf"],
    [hcl, "agent.hcl"],
    [hcl, "agent"],
  ] as const) {
    const { config } = await parseAgentConfig(text, { source });
    assert.equal(config.vault?.address, "http://127.0.0.1:1");
  }
});

test("labelled HCL blocks keep the order they are written in", async () => {
  const hcl = `
exec {
  command = ["/app"]
}
env_template "ZED" {
  contents = "z"
}
env_template "ALPHA" {
  contents = "a"
}
env_template "MIDDLE" {
  contents = "m"
}
listener "unix" {
  address     = "/run/agent.sock"
  tls_disable = true
}
listener "tcp" {
  tls_disable = "yes please"
}
`;
  const problems = await problemsOf(() => parseAgentConfig(hcl, { source: "order.hcl" }));
  assert.deepEqual(problems, [
    'order.hcl:19: listener[1].tls_disable: expected a boolean (true or false), got "yes please"',
  ]);
  const { config } = await parseAgentConfig(hcl.replace('"yes please"', "true"), {
    source: "order.hcl",
  });
  assert.deepEqual(
    config.env_template.map((t) => t.name),
    ["ZED", "ALPHA", "MIDDLE"],
  );
  assert.deepEqual(
    config.listener.map((l) => l.type),
    ["unix", "tcp"],
  );
});
