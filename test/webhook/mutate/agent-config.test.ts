import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAgentConfigJson } from "../../../shared/agent-config/parse.ts";
import { parseInjectionSpec } from "../../../webhook/annotations/parse.ts";
import {
  buildAgentConfig,
  defaultTemplate,
  type AgentRole,
} from "../../../webhook/mutate/agent-config.ts";
import { annotated, SETTINGS } from "./helpers.ts";

const CASES: Record<string, Record<string, string>> = {
  basic: { "agent-inject-secret-db": "database/creds/app" },
  everything: {
    "agent-inject-secret-db.env": "database/creds/app",
    "agent-inject-template-db.env":
      '{{ with secret "database/creds/app" }}{{ .Data.username }}{{ end }}',
    "agent-inject-perms-db.env": "0400",
    "agent-inject-command-db.env": "pkill -HUP app",
    "error-on-missing-key-db.env": "true",
    "agent-inject-template-file-cfg": "/vault/custom/cfg.tmpl",
    "agent-inject-template-hb": "{{user}}",
    "agent-template-engine-hb": "handlebars",
    "agent-template-left-delim-hb": "[[",
    "agent-template-right-delim-hb": "]]",
    "agent-cache-enable": "true",
    "agent-enable-quit": "true",
    "agent-inject-token": "true",
    "agent-telemetry-prometheus_retention_time": "30s",
    "agent-disable-keep-alives": "templating",
    "agent-disable-idle-connections": "auto-auth",
    "auth-min-backoff": "2s",
    "auth-max-backoff": "1m",
    "agent-auto-auth-exit-on-err": "true",
    "template-static-secret-render-interval": "1m",
    "template-lease-renewal-threshold": "0.8",
    "template-max-connections-per-host": "4",
    "agent-revoke-on-shutdown": "true",
    "ca-cert": "/vault/tls/ca.crt",
    "tls-server-name": "vault.internal",
    namespace: "team-a",
  },
  jwt: { "agent-inject-secret-a": "kv/data/a", "auth-type": "jwt", "auth-path": "auth/jwt" },
};

describe("generated configs are read by vaultlet's own agent config parser", () => {
  for (const [name, annotations] of Object.entries(CASES)) {
    for (const role of ["init", "sidecar", "native"] as AgentRole[]) {
      test(`${name} / ${role}`, () => {
        const { spec } = parseInjectionSpec(annotated("default-sa", annotations), SETTINGS);
        const json = buildAgentConfig(spec, role);
        const loaded = parseAgentConfigJson(JSON.stringify(json), `${name}-${role}.json`);
        for (const w of loaded.warnings) assert.match(w, /does not implement; ignored/);
        const c = loaded.config;
        assert.equal(c.exit_after_auth, role === "init");
        assert.equal(c.auto_auth?.method.type, spec.auth.type);
        assert.equal(c.vault?.address, SETTINGS.vaultAddress);
        assert.deepEqual(
          c.template.map((t) => t.destination),
          spec.secrets.map((s) => `${s.mountPath}/${s.file}`),
        );
        // the ops port is opened only where the config asks for it: every long-running agent
        const listen = { native: "0.0.0.0:8201", sidecar: "127.0.0.1:8201", init: undefined };
        assert.equal(c.vaultlet?.listen, listen[role]);
      });
    }
  }

  test("typed values survive the round trip", () => {
    const { spec } = parseInjectionSpec(annotated("default-sa", CASES.everything!), SETTINGS);
    const c = parseAgentConfigJson(
      JSON.stringify(buildAgentConfig(spec, "sidecar")),
      "x.json",
    ).config;
    assert.equal(c.auto_auth?.method.min_backoff, 2000);
    assert.equal(c.auto_auth?.method.max_backoff, 60_000);
    assert.equal(c.auto_auth?.method.exit_on_err, true);
    assert.equal(c.auto_auth?.method.namespace, "team-a");
    assert.equal(c.template_config?.static_secret_render_interval, 60_000);
    assert.equal(c.template_config?.lease_renewal_threshold, 0.8);
    assert.equal(c.template_config?.max_connections_per_host, 4);
    const db = c.template.find((t) => t.destination === "/vault/secrets/db.env");
    assert.equal(db?.perms, 0o400);
    assert.equal(db?.error_on_missing_key, true);
    const hb = c.template.find((t) => t.destination === "/vault/secrets/hb");
    assert.equal(hb?.engine, "handlebars");
    assert.equal(hb?.left_delimiter, "[[");
    assert.equal(
      c.template.find((t) => t.destination === "/vault/secrets/cfg")?.source,
      "/vault/custom/cfg.tmpl",
    );
    assert.equal(c.vaultlet?.revoke_on_shutdown, true);
    assert.equal(c.auto_auth?.sinks.length, 2);
  });
});

test("default templates: map and json, as the reference writes them", () => {
  assert.equal(
    defaultTemplate("map", "secret/data/x"),
    '{{ with secret "secret/data/x" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
  );
  assert.equal(
    defaultTemplate("json", "secret/data/x"),
    '{{ with secret "secret/data/x" }}{{ .Data | toJSON }}\n{{ end }}',
  );
});
