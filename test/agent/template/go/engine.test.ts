import { test } from "node:test";
import assert from "node:assert/strict";
import { createGoEngine, goEngine } from "../../../../agent/template/go/engine.ts";
import {
  DEFAULT_JSON_TEMPLATE,
  DEFAULT_MAP_TEMPLATE,
  defaultTemplate,
} from "../../../../agent/template/go/defaults.ts";
import { TemplateError } from "../../../../agent/template/errors.ts";
import { dependency } from "../../../../agent/template/types.ts";
import {
  recordedSource,
  secretFromResponse,
  tableSource,
  testEnv,
  KV2_RESPONSE,
} from "../recorded.ts";
import { render, renderError, renderResult } from "./render-helpers.ts";

test("the injector's default templates, verbatim", () => {
  assert.equal(
    DEFAULT_MAP_TEMPLATE,
    '{{ with secret "%s" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
  );
  assert.equal(DEFAULT_JSON_TEMPLATE, '{{ with secret "%s" }}{{ .Data | toJSON }}\n{{ end }}');
  assert.equal(
    defaultTemplate("json", "a/$1"),
    '{{ with secret "a/$1" }}{{ .Data | toJSON }}\n{{ end }}',
  );
});

test("map default template on KV v1", () => {
  assert.equal(
    render(defaultTemplate("map", "kv1/app")),
    [
      "big: 1e3",
      "enabled: true",
      "html: <a&b>",
      "nested: map[k:v]",
      "nothing: <no value>",
      "password: hunter2",
      "port: 5432",
      "ratio: 0.75",
      "tags: [blue green]",
      "username: app",
      "",
    ].join("\n"),
  );
});

test("map default template on KV v2 prints data and metadata maps", () => {
  assert.equal(
    render(defaultTemplate("map", "secret/data/app")),
    "data: map[password:s3cr3t! username:app]\n" +
      "metadata: map[created_time:2024-05-01T10:00:00.123456789Z custom_metadata:<nil> deletion_time: destroyed:false version:3]\n",
  );
});

test("json default template: Go's json.Marshal, keys sorted, HTML escaped, numbers as written", () => {
  assert.equal(
    render(defaultTemplate("json", "kv1/app")),
    '{"big":1e3,"enabled":true,"html":"\\u003ca\\u0026b\\u003e","nested":{"k":"v"},"nothing":null,' +
      '"password":"hunter2","port":5432,"ratio":0.75,"tags":["blue","green"],"username":"app"}\n',
  );
});

test("database credentials: data and lease fields", () => {
  const out = render(
    '{{ with secret "database/creds/app" -}}\nDB_USER={{ .Data.username }}\nDB_PASS={{ .Data.password }}\nLEASE={{ .LeaseID }} {{ .LeaseDuration }} {{ .Renewable }}\n{{- end }}\n',
  );
  assert.equal(
    out,
    "DB_USER=v-jwt-app-Tq3p-1714557600\nDB_PASS=A1a-5nF0q8\nLEASE=database/creds/app/Xk2vQ9 3600 true\n",
  );
});

test("secret with k=v arguments is a write (pki/issue), arguments trimmed", () => {
  const src = recordedSource();
  const r = renderResult(
    '{{ with secret "pki/issue/web" " common_name = web.example.com " }}{{ .Data.certificate }}\n{{ .Data.serial_number }} {{ .Data.expiration }} {{ index .Data.ca_chain 0 | len }}{{ end }}',
    {},
    src,
  );
  assert.deepEqual(r.missing, []);
  assert.equal(
    r.output,
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n39:dd:2e:90 1714644000 58",
  );
  assert.deepEqual(r.used, [
    dependency("secret.write", "pki/issue/web", [["common_name", "web.example.com"]]),
  ]);
});

test("pkiCert exposes Cert, Key, CA and .Data like consul-template", () => {
  assert.equal(
    render(
      '{{ with pkiCert "pki/issue/web" "common_name=web.example.com" }}{{ .Cert }}{{ .Data.Key }}{{ .CA }}{{ end }}',
    ),
    "-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n-----BEGIN RSA PRIVATE KEY-----\nKEY\n-----END RSA PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
  );
});

test("secrets lists keys; nested secret reads use them", () => {
  const r = renderResult(
    '{{ range secrets "secret/metadata" }}{{ . }}:{{ with secret (printf "secret/data/%s" .) }}{{ .Data.data.username }}{{ end }};{{ end }}',
  );
  assert.equal(r.used[0]!.key, "secret.list(secret/metadata)");
  assert.deepEqual(
    r.missing.map((d) => d.key),
    // a trailing slash is trimmed from paths, as consul-template does
    [
      "secret.read(secret/data/beta)",
      "secret.read(secret/data/alpha)",
      "secret.read(secret/data/gamma)",
    ],
  );
});

test("discovery: one pass records every missing secret, then renders once data arrives", () => {
  const text =
    '{{ with secret "a/one" }}{{ .Data.x }}{{ end }}-{{ (secret "b/two").Data.y | toUpper }}-{{ secret "a/one" | toJSON }}-{{ range secrets "c/" }}{{ . }}{{ end }}';
  const compiled = goEngine.compile(text, { name: "disc", errorOnMissingKey: true });
  const empty = tableSource([]);
  const first = compiled.render(empty, testEnv());
  assert.deepEqual(
    first.missing.map((d) => d.key),
    ["secret.read(a/one)", "secret.read(b/two)", "secret.list(c)"],
  );
  assert.deepEqual(
    first.used.map((d) => d.key),
    ["secret.read(a/one)", "secret.read(b/two)", "secret.list(c)"],
  );
  const kv = (data: Record<string, unknown>) => ({
    ...secretFromResponse(KV2_RESPONSE),
    Data: data,
  });
  const full = tableSource([
    [dependency("secret.read", "a/one"), kv({ x: "1" })],
    [dependency("secret.read", "b/two"), kv({ y: "two" })],
    [dependency("secret.list", "c"), ["k1", "k2"]],
  ]);
  const second = compiled.render(full, testEnv());
  assert.deepEqual(second.missing, []);
  assert.equal(
    second.output,
    '1-TWO-{"RequestID":"0c8e7d6a-5b4c-4a3b-9c2d-1e0f9a8b7c6d","LeaseID":"","LeaseDuration":0,"Renewable":false,"Data":{"x":"1"},"Warnings":null,"Auth":null,"WrapInfo":null}-k1k2',
  );
});

test("a secret whose path depends on another is found on the next pass", () => {
  const compiled = goEngine.compile(
    '{{ with secret "cfg/app" }}{{ with secret (printf "db/%s" .Data.role) }}{{ .Data.u }}{{ end }}{{ end }}',
    { name: "dep" },
  );
  const base = secretFromResponse(KV2_RESPONSE);
  const p1 = compiled.render(tableSource([]), testEnv());
  assert.deepEqual(
    p1.missing.map((d) => d.key),
    ["secret.read(cfg/app)"],
  );
  const cfg: [ReturnType<typeof dependency>, typeof base] = [
    dependency("secret.read", "cfg/app"),
    { ...base, Data: { role: "ro" } },
  ];
  const p2 = compiled.render(tableSource([cfg]), testEnv());
  assert.deepEqual(
    p2.missing.map((d) => d.key),
    ["secret.read(db/ro)"],
  );
  const p3 = compiled.render(
    tableSource([cfg, [dependency("secret.read", "db/ro"), { ...base, Data: { u: "user" } }]]),
    testEnv(),
  );
  assert.equal(p3.output, "user");
  assert.deepEqual(p3.missing, []);
});

test("the same secret used many times is one dependency", () => {
  const r = renderResult('{{ (secret "kv1/app").Data.port }}{{ (secret "/kv1/app/").Data.port }}');
  assert.equal(r.used.length, 1);
  assert.equal(r.output, "54325432");
});

test("rendering is deterministic: same data, same bytes", () => {
  const text =
    defaultTemplate("map", "kv1/app") +
    '{{ with secret "kv1/app" }}{{ .Data | toJSONPretty }}{{ end }}';
  const compiled = goEngine.compile(text, { name: "det" });
  const a = compiled.render(recordedSource(), testEnv()).output;
  const b = compiled.render(recordedSource(), testEnv()).output;
  assert.equal(a, b);
});

test("secret argument errors", () => {
  assert.match(
    renderError('{{ secret "pki/issue/x" "novalue" }}').message,
    /error calling secret: not k=v pair \(argument 2\)/,
  );
  assert.match(
    renderError('{{ secret "" }}').message,
    /error calling secret: vault\.read: invalid format: ""/,
  );
  assert.equal(render("{{ secret }}"), "<no value>");
  assert.equal(render('{{ secrets "" }}'), "[]");
});

test("limits: output size, steps and template depth stop the render with TEMPLATE_LIMIT", () => {
  const small = createGoEngine({ maxOutputBytes: 100, maxSteps: 1000, maxDepth: 10 });
  const run = (t: string) => {
    try {
      small.compile(t, { name: "lim" }).render(tableSource([]), testEnv());
    } catch (e) {
      assert.ok(e instanceof TemplateError);
      return e;
    }
    assert.fail("expected a limit error");
  };
  const out = run("{{ range 1000 }}0123456789{{ end }}");
  assert.equal(out.code, "TEMPLATE_LIMIT");
  assert.match(out.message, /output exceeds the limit of 100 bytes/);
  const steps = run("{{ range 100000 }}{{ end }}");
  assert.equal(steps.code, "TEMPLATE_LIMIT");
  assert.match(steps.message, /exceeded maximum of 1000 evaluation steps/);
  const depth = run('{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}');
  assert.equal(depth.code, "TEMPLATE_LIMIT");
  assert.match(depth.message, /exceeded maximum template depth \(10\)/);
  // the default engine also stops runaway recursion
  const e = renderError('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" 1 }}');
  assert.equal(e.code, "TEMPLATE_LIMIT");
});

test("TemplateError carries template, line, column and detail", () => {
  const e = renderError('x\n{{ with secret "kv1/app" }}{{ .Data.q.r }}{{ end }}') as TemplateError;
  assert.ok(e instanceof TemplateError);
  assert.equal(e.template, "t");
  assert.equal(e.line, 2);
  // Go positions a field chain at its second field
  assert.equal(e.column, 35);
  assert.equal(e.detail, "nil pointer evaluating interface {}.r");
  assert.equal(
    e.message,
    'template: t:2:35: executing "t" at <.Data.q.r>: nil pointer evaluating interface {}.r',
  );
});

test("absurd nesting is an error, not a crash", () => {
  const deep = "{{ " + "(".repeat(20000) + "1" + ")".repeat(20000) + " }}";
  const e = renderError(deep);
  assert.equal(e.code, "TEMPLATE_PARSE");
  const nested = "{{ if 1 }}".repeat(20000) + "x" + "{{ end }}".repeat(20000);
  const e2 = renderError(nested);
  assert.ok(e2.code === "TEMPLATE_PARSE" || e2.code === "TEMPLATE_LIMIT");
});
