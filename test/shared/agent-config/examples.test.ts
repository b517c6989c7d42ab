import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAgentConfig } from "../../../shared/agent-config/index.ts";
import { fixture } from "./helpers.ts";

async function load(name: string) {
  return parseAgentConfig(await fixture(name), { source: name });
}

test("kubernetes auth, file sink and two templates (labelled blocks, heredoc, wait)", async () => {
  const { config, warnings } = await load("kubernetes.hcl");
  assert.deepEqual(warnings, []);
  assert.equal(config.pid_file, "/home/vault/.pid");
  assert.deepEqual(config.vault, {
    address: "https://vault.example.internal:8200",
    ca_cert: "/vault/tls/ca.crt",
    retry: { num_retries: 5 },
  });
  assert.deepEqual(config.auto_auth?.method, {
    type: "kubernetes",
    mount_path: "auth/k8s-prod",
    config: { role: "payments", token_path: "/var/run/secrets/vault/token" },
    exit_on_err: false,
  });
  assert.deepEqual(config.auto_auth?.sinks, [
    { type: "file", config: { path: "/home/vault/.vault-token", mode: 0o640 } },
  ]);
  assert.equal(config.template.length, 2);
  const [db, yaml] = config.template;
  // As Vault reads <<-: each line loses the closing marker's indentation
  // (2 spaces), not the 4 the lines share.
  assert.equal(
    db?.contents,
    '  {{- with secret "database/creds/payments" }}\n  DB_USER={{ .Data.username }}\n  DB_PASS={{ .Data.password }}\n  {{- end }}\n',
  );
  assert.equal(db?.perms, 0o600);
  assert.deepEqual(db?.command, ["/bin/sh", "-c", "pkill -HUP payments"]);
  assert.equal(db?.create_dest_dirs, true);
  assert.equal(db?.error_on_missing_key, false);
  assert.deepEqual(yaml, {
    source: "/vault/templates/config.yaml.tmpl",
    destination: "/vault/secrets/config.yaml",
    error_on_missing_key: true,
    create_dest_dirs: true,
    wait: { min: 2000, max: 10_000 },
  });
  assert.equal(config.exit_after_auth, false);
});

test("approle from files, wrapped sink, template_config, template exec block", async () => {
  const { config } = await load("approle.hcl");
  assert.deepEqual(config.vault, { address: "https://127.0.0.1:8200", tls_skip_verify: false });
  assert.deepEqual(config.auto_auth?.method, {
    type: "approle",
    mount_path: "auth/approle",
    config: {
      role_id_file_path: "/etc/vault/role-id",
      secret_id_file_path: "/etc/vault/secret-id",
      remove_secret_id_file_after_reading: false,
    },
    exit_on_err: false,
  });
  assert.deepEqual(config.auto_auth?.sinks, [
    { type: "file", wrap_ttl: 300_000, config: { path: "/run/vault/wrapped-token" } },
  ]);
  assert.deepEqual(config.template_config, {
    exit_on_retry_failure: true,
    static_secret_render_interval: 600_000,
    max_connections_per_host: 20,
    lease_renewal_threshold: 0.8,
  });
  assert.equal(config.template[0]?.perms, 0o600);
  assert.deepEqual(config.template[0]?.exec, {
    command: ["systemctl", "reload", "nginx"],
    timeout: 15_000,
  });
});

test("jwt login for a CI job: exit_after_auth, backoff in seconds and Go syntax, no sink", async () => {
  const { config } = await load("jwt.hcl");
  assert.equal(config.exit_after_auth, true);
  assert.deepEqual(config.auto_auth, {
    method: {
      type: "jwt",
      mount_path: "auth/gitlab",
      min_backoff: 2000,
      max_backoff: 30_000,
      exit_on_err: true,
      config: { path: "/tmp/ci-id-token", role: "deploy-staging", remove_jwt_after_reading: false },
    },
    sinks: [],
  });
  assert.equal(config.template[0]?.destination, "./deploy.env");
});

test("token_file method", async () => {
  const { config } = await load("token-file.hcl");
  assert.deepEqual(config.auto_auth?.method.config, { token_file_path: "/home/dev/.vault-token" });
  assert.equal(config.auto_auth?.method.mount_path, "auth/token_file");
});

test("process supervisor: env_template blocks named by their label, exec argv and signal", async () => {
  const { config } = await load("process-supervisor.hcl");
  const byName = Object.fromEntries(config.env_template.map((t) => [t.name, t]));
  assert.deepEqual(Object.keys(byName).sort(), ["API_TOKEN", "DB_PASSWORD"]);
  assert.deepEqual(byName.DB_PASSWORD, {
    name: "DB_PASSWORD",
    contents: '{{ with secret "secret/data/web/db" }}{{ .Data.data.password }}{{ end }}',
    error_on_missing_key: true,
  });
  assert.equal(byName.API_TOKEN?.error_on_missing_key, false);
  assert.deepEqual(config.exec, {
    command: ["/app/web", "--port", "8080"],
    restart_on_secret_changes: "always",
    restart_stop_signal: "SIGINT",
  });
  assert.deepEqual(config.template, []);
});

test("cache and listeners are read; api_proxy is accepted with a warning", async () => {
  const { config, warnings } = await load("cache-listener.hcl");
  assert.deepEqual(config.cache, { use_auto_auth_token: true });
  assert.deepEqual(config.listener, [
    { type: "tcp", address: "127.0.0.1:8100", tls_disable: true },
    { type: "unix", address: "/run/vault/agent.sock", tls_disable: true },
  ]);
  assert.deepEqual(warnings, [
    "cache-listener.hcl:20: api_proxy: a Vault Agent setting vaultlet does not implement; ignored",
  ]);
  assert.equal("api_proxy" in config, false);
});

test("the injector's config with caching, token sink, template file and telemetry", async () => {
  const { config, warnings } = await load("injector-cache.json");
  assert.deepEqual(
    config.auto_auth?.sinks.map((s) => s.config.path),
    ["/home/vault/.vault-token", "/vault/secrets/token"],
  );
  assert.equal(config.auto_auth?.method.exit_on_err, true);
  // "contents": "" beside "source" means no inline contents
  assert.deepEqual(config.template[0], {
    destination: "/vault/secrets/app.properties",
    source: "/vault/custom/app.properties.tmpl",
    left_delimiter: "{{",
    right_delimiter: "}}",
    perms: 0o640,
    error_on_missing_key: true,
    create_dest_dirs: true,
  });
  assert.deepEqual(config.listener, [
    { type: "tcp", address: "127.0.0.1:8200", tls_disable: true },
  ]);
  assert.deepEqual(config.cache, { use_auto_auth_token: "force" });
  assert.deepEqual(config.template_config, {
    exit_on_retry_failure: true,
    max_connections_per_host: 10,
  });
  assert.deepEqual(warnings, [
    "injector-cache.json:33: listener[0].agent_api: a Vault Agent setting vaultlet does not implement; ignored",
    "injector-cache.json:38: cache.persist: a Vault Agent setting vaultlet does not implement; ignored",
    "injector-cache.json:41: disable_idle_connections: a Vault Agent setting vaultlet does not implement; ignored",
    "injector-cache.json:42: telemetry: a Vault Agent setting vaultlet does not implement; ignored",
  ]);
});
