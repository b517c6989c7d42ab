import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "../../support/properties.ts";
import { parseJson } from "../../../shared/json.ts";
import {
  parseAgentConfigJson,
  toJson,
  type AgentConfig,
} from "../../../shared/agent-config/index.ts";

// Arbitrary valid configs, for the round trip parse(toJson(c)) == c. Inline
// contents are never empty: an empty template, like in Vault Agent, is an error.
const path = fc.stringMatching(/^\/[a-z0-9/._-]{1,20}$/);
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const ms = fc.integer({ min: 0, max: 48 * 3_600_000 });
const mode = fc.integer({ min: 0, max: 0o777 });
const signal = fc.constantFrom("SIGHUP", "SIGTERM", "SIGINT", "SIGUSR1", "SIGUSR2");
const shellLine = fc.string({ minLength: 1 }).filter((s) => s.trim() !== "");
const command = fc.oneof(
  shellLine.map((s) => ["/bin/sh", "-c", s]),
  fc.array(fc.string(), { minLength: 2, maxLength: 4 }),
  word.map((w) => [`/usr/bin/${w}`]),
);

const method = fc
  .record(
    {
      type: fc.constant("kubernetes"),
      mount_path: word.map((w) => `auth/${w}`),
      namespace: word,
      config: fc.record({ role: word, token_path: path }, { requiredKeys: ["role"] }),
      backoff: fc.tuple(ms, ms),
      exit_on_err: fc.boolean(),
    },
    { requiredKeys: ["type", "mount_path", "config", "exit_on_err"] },
  )
  .map(({ backoff, ...m }) =>
    backoff ? { ...m, min_backoff: Math.min(...backoff), max_backoff: Math.max(...backoff) } : m,
  );

const sink = fc.record(
  {
    type: fc.constant("file"),
    config: fc.record({ path, mode }, { requiredKeys: ["path"] }),
    wrap_ttl: ms,
  },
  { requiredKeys: ["type", "config"] },
);

const template = fc
  .record(
    {
      body: fc.oneof(
        fc.record({ contents: fc.string({ minLength: 1 }) }),
        fc.record({ source: path }),
      ),
      destination: path,
      create_dest_dirs: fc.boolean(),
      error_on_missing_key: fc.boolean(),
      perms: mode,
      command,
      command_timeout: ms,
      exec: fc.record({ command, timeout: ms }, { requiredKeys: ["command"] }),
      left_delimiter: fc.constantFrom("{{", "[["),
      right_delimiter: fc.constantFrom("}}", "]]"),
      backup: fc.boolean(),
      wait: fc.record({ min: ms, max: ms }, { requiredKeys: [] }),
      engine: fc.constantFrom("go" as const, "handlebars" as const),
      signal: fc.record({ signal, process_name: word }),
    },
    { requiredKeys: ["body", "destination", "create_dest_dirs", "error_on_missing_key"] },
  )
  .map(({ body, ...t }) => ({ ...t, ...body }));

const envTemplates = fc
  .uniqueArray(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), { maxLength: 4 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc
          .record({ contents: fc.string({ minLength: 1 }), error_on_missing_key: fc.boolean() })
          .map((t) => ({ name, ...t })),
      ),
    ),
  );

const config = fc
  .record(
    {
      vault: fc.record(
        {
          address: word.map((h) => `https://${h}:8200`),
          ca_cert: path,
          tls_skip_verify: fc.boolean(),
          namespace: word,
          timeout: ms,
          retry: fc.record({ num_retries: fc.integer({ min: -1, max: 20 }) }),
        },
        { requiredKeys: [] },
      ),
      auto_auth: fc.record({ method, sinks: fc.array(sink, { maxLength: 3 }) }),
      template: fc.array(template, { maxLength: 3 }),
      template_config: fc.record(
        {
          exit_on_retry_failure: fc.boolean(),
          static_secret_render_interval: ms,
          max_connections_per_host: fc.nat(100),
          lease_renewal_threshold: fc.double({ min: 0.01, max: 1, noNaN: true }),
        },
        { requiredKeys: [] },
      ),
      supervisor: fc.record({
        exec: fc.record(
          {
            command: fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
            restart_on_secret_changes: fc.constantFrom("always" as const, "never" as const),
            restart_stop_signal: signal,
            restart_kill_grace: ms,
            change_signal: signal,
          },
          { requiredKeys: ["command", "restart_on_secret_changes", "restart_stop_signal"] },
        ),
        env_template: envTemplates,
      }),
      exit_after_auth: fc.boolean(),
      pid_file: path,
      listener: fc.array(
        fc.record({
          type: fc.constant("tcp"),
          address: fc.constant("127.0.0.1:8100"),
          tls_disable: fc.constant(true),
        }),
        { maxLength: 2 },
      ),
      cache: fc.record({ use_auto_auth_token: fc.constantFrom(true, false, "force" as const) }),
      log_level: fc.constantFrom("info", "debug"),
      vaultlet: fc.record({
        listen: fc.constant("127.0.0.1:8201"),
        revoke_on_shutdown: fc.boolean(),
        startup_jitter: fc.constantFrom(0, 250, 1000, 90_000),
      }),
    },
    { requiredKeys: ["template", "exit_after_auth", "listener"] },
  )
  .map(({ supervisor, ...c }) => ({
    ...c,
    ...(supervisor ?? { env_template: [] }),
  }));

test("every valid config survives toJson and back unchanged", () => {
  fc.assert(
    fc.property(config, (c) => {
      // plain objects (the generator makes null-prototype ones), keys read as written
      const typed = parseJson(JSON.stringify(c)) as AgentConfig;
      const back = parseAgentConfigJson(JSON.stringify(toJson(typed)), "generated.json");
      assert.deepEqual(back.config, typed);
      assert.deepEqual(back.warnings, []);
    }),
    { numRuns: 300 },
  );
});
