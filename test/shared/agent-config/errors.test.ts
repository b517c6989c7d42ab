import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAgentConfig, parseAgentConfigJson } from "../../../shared/agent-config/index.ts";
import { fixture, problemsOf } from "./helpers.ts";

const json = (doc: unknown) => () => parseAgentConfigJson(JSON.stringify(doc), "agent.json");
const METHOD = { type: "kubernetes", config: { role: "r" } };

test("an HCL file with many mistakes: every problem, in line order, with line and key path", async () => {
  const problems = await problemsOf(async () =>
    parseAgentConfig(await fixture("invalid.hcl"), { source: "invalid.hcl" }),
  );
  assert.deepEqual(problems, [
    'invalid.hcl:3: vault.tls_skip_verify: expected a boolean (true or false), got "maybe"',
    "invalid.hcl:10: auto_auth.method.config.role: expected a string, got a number",
    "invalid.hcl:15: auto_auth.sink[0].config.path: required",
    'invalid.hcl:16: auto_auth.sink[0].config.mode: expected file permissions as an octal string like "0640", got "0999"',
    "invalid.hcl:21: template[0]: set exactly one of contents and source, not both",
    "invalid.hcl:27: template[1].destination: required",
    'invalid.hcl:28: template[1].destinaton: unknown key; did you mean "destination"?',
    'invalid.hcl:30: template[1].perms: expected file permissions as an octal string like "0640", got "rw-r-----"',
    'invalid.hcl:31: template[1].command_timeout: expected a duration like "30s", "5m", "1h30m" or a number of seconds, got "soon"',
  ]);
});

test("HCL syntax errors carry the parser's line and column and say what was expected", async () => {
  const problems = await problemsOf(async () =>
    parseAgentConfig(await fixture("syntax-error.hcl"), { source: "syntax-error.hcl" }),
  );
  assert.deepEqual(problems, [
    'syntax-error.hcl:7:3: expected a value after "destination" =, found name contents',
  ]);
});

test("several HCL errors are one line each, in position order", async () => {
  const problems = await problemsOf(() =>
    parseAgentConfig('a = 1\na = 2\nb = "open\n', { source: "two.hcl" }),
  );
  assert.deepEqual(problems, [
    'two.hcl:2:1: "a" is already set at line 1; set it once',
    'two.hcl:3:5: string is not closed: no closing " before the end of the line',
  ]);
});

test("labelled and unlabelled blocks of one name are read in source order, as Vault reads them", async () => {
  const hcl =
    'auto_auth {\n  method "jwt" {\n    config = { role = "r", path = "/t" }\n  }\n' +
    '  sink "file" {\n    config = { path = "/one" }\n  }\n' +
    '  sink {\n    type = "file"\n    config = { path = "/two" }\n  }\n}\n';
  const { config } = await parseAgentConfig(hcl, { source: "mix.hcl" });
  assert.deepEqual(
    config.auto_auth?.sinks.map((s) => s.config.path),
    ["/one", "/two"],
  );
});

test("a name used for a setting and for a block is refused with both lines", async () => {
  const hcl = 'vault = { address = "http://127.0.0.1:1" }\nvault {\n}\n';
  assert.deepEqual(await problemsOf(() => parseAgentConfig(hcl, { source: "both.hcl" })), [
    'both.hcl:2:1: "vault" is a setting (line 1) and a block (line 2); use one form',
  ]);
});

test("malformed JSON: line and column, no file contents in the message", async () => {
  assert.deepEqual(
    await problemsOf(() => parseAgentConfigJson('{\n  "vault": {\n    "address": }\n}', "a.json")),
    ["a.json:3:16: invalid JSON: Unexpected token '}'"],
  );
  assert.deepEqual(
    await problemsOf(() => parseAgentConfigJson('{\n  "pid_file": "x",\n}', "b.json")),
    ["b.json:3:1: invalid JSON: Expected double-quoted property name"],
  );
  assert.deepEqual(await problemsOf(() => parseAgentConfigJson("", "c.json")), [
    "c.json:1:1: invalid JSON: Unexpected end of JSON input",
  ]);
  assert.deepEqual(await problemsOf(() => parseAgentConfigJson("[1]", "d.json")), [
    "d.json: the config must be a set of blocks (a JSON object at the top)",
  ]);
});

test("unknown keys: a suggestion when one is close, plain otherwise", async () => {
  assert.deepEqual(
    await problemsOf(
      json({ vaultt: {}, templates: [], foo: 1, template: [{ destination: "/a", contnets: "x" }] }),
    ),
    [
      'agent.json:1: vaultt: unknown key; did you mean "vault"?',
      'agent.json:1: templates: unknown key; did you mean "template"?',
      "agent.json:1: foo: unknown key",
      'agent.json:1: template[0].contnets: unknown key; did you mean "contents"?',
      "agent.json:1: template[0]: set one of contents (inline text) or source (a file path)",
    ],
  );
});

test("auth method rules: type required, unknown type, method config checked per type", async () => {
  assert.deepEqual(await problemsOf(json({ auto_auth: { method: { config: { role: "r" } } } })), [
    "agent.json:1: auto_auth.method.type: required",
  ]);
  assert.deepEqual(
    await problemsOf(json({ auto_auth: { method: { type: "kubernets", config: {} } } })),
    ['agent.json:1: auto_auth.method.type: unknown auth method; did you mean "kubernetes"?'],
  );
  assert.deepEqual(await problemsOf(json({ auto_auth: { method: { type: "kubernetes" } } })), [
    "agent.json:1: auto_auth.method.config.role: required",
  ]);
  assert.deepEqual(
    await problemsOf(
      json({ auto_auth: { method: { type: "jwt", config: { path: "/t", rol: "r" } } } }),
    ),
    [
      'agent.json:1: auto_auth.method.config.rol: unknown key; did you mean "role"?',
      "agent.json:1: auto_auth.method.config.role: required",
    ],
  );
  assert.deepEqual(await problemsOf(json({ auto_auth: { sink: [] } })), [
    "agent.json:1: auto_auth.method: required",
  ]);
  assert.deepEqual(
    await problemsOf(
      json({ auto_auth: { method: { ...METHOD, min_backoff: "1m", max_backoff: "10s" } } }),
    ),
    ["agent.json:1: auto_auth.method.min_backoff: must not be greater than max_backoff"],
  );
  assert.deepEqual(await problemsOf(json({ auto_auth: { method: [METHOD, METHOD] } })), [
    'agent.json:1: auto_auth.method: only one "method" block is allowed, found 2',
  ]);
  assert.deepEqual(
    await problemsOf(() =>
      parseAgentConfig('auto_auth {\n  method "jwt" {\n    type = "kubernetes"\n  }\n}\n', {
        source: "m.hcl",
      }),
    ),
    [
      'm.hcl:3: auto_auth.method.type: block label "jwt" and type = "kubernetes" disagree; keep one',
    ],
  );
});

test("a Vault auth method vaultlet does not implement is accepted with a warning", () => {
  const { config, warnings } = parseAgentConfigJson(
    JSON.stringify({ auto_auth: { method: { type: "aws", config: { type: "iam", role: "r" } } } }),
    "agent.json",
  );
  assert.deepEqual(config.auto_auth?.method.config, { type: "iam", role: "r" });
  assert.deepEqual(warnings, [
    'agent.json:1: auto_auth.method.type: auth method "aws" is not implemented by vaultlet',
  ]);
});

test("sink rules", async () => {
  const sink = (s: object) => json({ auto_auth: { method: METHOD, sink: [s] } });
  assert.deepEqual(await problemsOf(sink({ config: { path: "/t" } })), [
    "agent.json:1: auto_auth.sink[0].type: required",
  ]);
  assert.deepEqual(
    await problemsOf(sink({ type: "file", dh_type: "curve25519", config: { path: "/t" } })),
    ["agent.json:1: auto_auth.sink[0]: dh_type and dh_path must be set together"],
  );
  assert.deepEqual(await problemsOf(sink({ type: "file", config: { path: "/t", mode: 640 } })), [
    'agent.json:1: auto_auth.sink[0].config.mode: expected file permissions as an octal string like "0640", got 640 (a JSON number is decimal; write "0640" as a string)',
  ]);
});

test("template rules", async () => {
  const tpl = (t: object) => json({ template: [t] });
  assert.deepEqual(await problemsOf(tpl({ contents: "x" })), [
    "agent.json:1: template[0].destination: required",
  ]);
  assert.deepEqual(await problemsOf(tpl({ destination: "/a", contents: "x", command: 5 })), [
    "agent.json:1: template[0].command: expected a command: a string (run by /bin/sh) or a non-empty list of strings (argv), got a number",
  ]);
  assert.deepEqual(
    await problemsOf(tpl({ destination: "/a", contents: "x", exec: { timeout: "1s" } })),
    ["agent.json:1: template[0].exec.command: required"],
  );
  assert.deepEqual(await problemsOf(tpl({ destination: "/a", contents: "x", engine: "jinja" })), [
    'agent.json:1: template[0].engine: expected one of "go", "handlebars", got "jinja"',
  ]);
  assert.deepEqual(
    await problemsOf(tpl({ destination: "/a", contents: "x", signal: { signal: "SIGHUP" } })),
    ["agent.json:1: template[0].signal: set exactly one of process_name and pid_file"],
  );
  assert.deepEqual(
    await problemsOf(
      tpl({ destination: "/a", contents: "x", signal: { signal: "SIGWHAT", pid_file: "/p" } }),
    ),
    [
      'agent.json:1: template[0].signal.signal: expected a signal name such as "SIGHUP" or "SIGTERM", got "SIGWHAT"',
    ],
  );
  assert.deepEqual(await problemsOf(tpl({ destination: "/a", contents: "x", wait: "5s:soon" })), [
    'agent.json:1: template[0].wait: expected a duration like "30s", "5m", "1h30m" or a number of seconds, got "soon"',
  ]);
  assert.deepEqual(await problemsOf(json({ template: ["/a"] })), [
    "agent.json:1: template: expected a block, got a string",
  ]);
});

test("HCL types are named as HCL calls them", async () => {
  const hcl = 'template {\n  destination = "/a"\n  contents {\n    x = 1\n  }\n}\n';
  assert.deepEqual(await problemsOf(() => parseAgentConfig(hcl, { source: "t.hcl" })), [
    "t.hcl:3: template[0].contents: expected a string, got a block",
  ]);
});

test("env_template and exec rules", async () => {
  const exec = { command: ["/app"] };
  assert.deepEqual(await problemsOf(json({ env_template: { A: { contents: "1" } } })), [
    "agent.json: env_template: needs a top-level exec block: the command that receives these variables",
  ]);
  assert.deepEqual(
    await problemsOf(
      json({ exec, env_template: [{ A: { contents: "1" } }, { A: { contents: "2" } }] }),
    ),
    ["agent.json: env_template[A]: defined more than once"],
  );
  assert.deepEqual(
    await problemsOf(
      json({ exec, env_template: { "MY-VAR": { contents: "1", destination: "/x" } } }),
    ),
    [
      "agent.json:1: env_template[MY-VAR].destination: not allowed in env_template (it renders into an environment variable, not a file): remove destination",
      'agent.json:1: env_template[MY-VAR]: "MY-VAR" is not a valid environment variable name',
    ],
  );
  assert.deepEqual(await problemsOf(json({ exec, env_template: [{ contents: "1" }] })), [
    "agent.json:1: env_template[0].name: required",
  ]);
  assert.deepEqual(await problemsOf(json({ exec: { command: "/app --port 1" } })), [
    'agent.json:1: exec.command: expected a non-empty list of strings (argv), e.g. ["/app/server", "--port", "8080"], got "/app --port 1"',
  ]);
  assert.deepEqual(
    await problemsOf(json({ exec: { ...exec, restart_on_secret_changes: "sometimes" } })),
    [
      'agent.json:1: exec.restart_on_secret_changes: expected one of "always", "never", got "sometimes"',
    ],
  );
});

test("listener, cache, template_config and vault value rules", async () => {
  assert.deepEqual(
    await problemsOf(json({ listener: [{ type: "tcp", address: "127.0.0.1:8100" }] })),
    [
      "agent.json:1: listener[0]: tls_cert_file and tls_key_file are required unless tls_disable = true",
    ],
  );
  assert.deepEqual(await problemsOf(json({ listener: { unix: { tls_disable: true } } })), [
    "agent.json:1: listener[0].address: required for a unix listener",
  ]);
  assert.deepEqual(await problemsOf(json({ listener: [{ type: "udp", tls_disable: true }] })), [
    'agent.json:1: listener[0].type: expected one of "tcp", "unix", got "udp"',
  ]);
  assert.deepEqual(await problemsOf(json({ cache: { use_auto_auth_token: "always" } })), [
    'agent.json:1: cache.use_auto_auth_token: expected true, false or "force", got "always"',
  ]);
  assert.deepEqual(
    await problemsOf(
      json({ template_config: { lease_renewal_threshold: 90, max_connections_per_host: 1.5 } }),
    ),
    [
      "agent.json:1: template_config.max_connections_per_host: expected a whole number, got 1.5",
      "agent.json:1: template_config.lease_renewal_threshold: must be a fraction above 0 and at most 1",
    ],
  );
  assert.deepEqual(
    await problemsOf(json({ vault: { retry: { num_retries: "many" } }, exit_after_auth: "yes" })),
    [
      'agent.json:1: vault.retry.num_retries: expected a whole number, got "many"',
      'agent.json:1: exit_after_auth: expected a boolean (true or false), got "yes"',
    ],
  );
});

test("Vault keys vaultlet does not implement are warnings and stay out of the config", () => {
  const { config, warnings } = parseAgentConfigJson(
    JSON.stringify({
      telemetry: { prometheus_retention_time: "30s" },
      template: [{ destination: "/a", contents: "x", user: "app", error_fatal: false }],
      cache: { persist: { type: "kubernetes" }, use_auto_auth_token: "force" },
    }),
    "agent.json",
  );
  assert.deepEqual(warnings, [
    "agent.json:1: telemetry: a Vault Agent setting vaultlet does not implement; ignored",
    "agent.json:1: template[0].user: a Vault Agent setting vaultlet does not implement; ignored",
    "agent.json:1: template[0].error_fatal: a Vault Agent setting vaultlet does not implement; ignored",
    "agent.json:1: cache.persist: a Vault Agent setting vaultlet does not implement; ignored",
  ]);
  assert.deepEqual(config.cache, { use_auto_auth_token: "force" });
  assert.equal("user" in config.template[0]!, false);
  assert.equal("telemetry" in config, false);
});

test("problems in a JSON file carry the line of the key, through labelled maps and lists", async () => {
  const problems = await problemsOf(async () =>
    parseAgentConfigJson(await fixture("invalid.json"), "invalid.json"),
  );
  assert.deepEqual(problems, [
    'invalid.json:4: vault.tls_skip_verify: expected a boolean (true or false), got "maybe"',
    "invalid.json:9: auto_auth.method.config.role: expected a string, got a number",
    'invalid.json:15: auto_auth.sink[1].config.mode: expected file permissions as an octal string like "0640", got 640 (a JSON number is decimal; write "0640" as a string)',
    "invalid.json:21: template[1].destination: required",
    'invalid.json:22: template[1].destinaton: unknown key; did you mean "destination"?',
    "invalid.json:27: env_template[TOKEN].perms: not allowed in env_template (it renders into an environment variable, not a file): remove perms",
  ]);
});

test("keys named like object internals are unknown keys, not a crash or a silent pass", async () => {
  const text =
    '{"constructor": 1, "__proto__": {"x": 1}, "template": [{"destination": "/a", "contents": "x", "toString": "y"}],' +
    ' "auto_auth": {"method": {"type": "constructor"}}}';
  assert.deepEqual(await problemsOf(() => parseAgentConfigJson(text, "p.json")), [
    "p.json:1: constructor: unknown key",
    "p.json:1: __proto__: unknown key",
    "p.json:1: template[0].toString: unknown key",
    "p.json:1: auto_auth.method.type: unknown auth method",
  ]);
});
