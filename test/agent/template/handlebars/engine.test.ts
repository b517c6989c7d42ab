import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHandlebarsEngine } from "../../../../agent/template/handlebars/engine.ts";
import { TemplateError } from "../../../../agent/template/errors.ts";
import type { CompileOptions, RenderResult } from "../../../../agent/template/types.ts";
import {
  dep,
  ENV,
  FixedSource,
  fullSource,
  KV2_APP,
  KV2_NESTED,
  secretFromEnvelope,
} from "./recorded.ts";

const engine = createHandlebarsEngine();

function render(text: string, options: Partial<CompileOptions> = {}, source = fullSource()) {
  return engine.compile(text, { name: "test.tpl", ...options }).render(source, ENV);
}

function output(text: string, options: Partial<CompileOptions> = {}): string {
  const result = render(text, options);
  assert.deepEqual(result.missing, [], "nothing should be missing");
  return result.output;
}

function failure(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TemplateError, `expected a TemplateError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the template to fail");
}

describe("handlebars engine: secrets", () => {
  it("reads KV v1 fields, the lease and numbers as Vault wrote them", () => {
    assert.equal(
      output(
        '{{#with (secret "kv1/app")}}{{Data.user}}:{{Data.password}} port={{Data.port}} ratio={{Data.ratio}} ttl={{LeaseDuration}} renewable={{Renewable}}{{/with}}',
      ),
      "app:p1 port=5432 ratio=1e3 ttl=2764800 renewable=false",
    );
  });

  it("reads KV v2 data and metadata, without HTML escaping", () => {
    assert.equal(
      output(
        '{{#with (secret "kv/data/app")}}{{Data.data.password}} {{{Data.data.password}}} v{{Data.metadata.version}}{{/with}}',
      ),
      "s3cr3t&<x> s3cr3t&<x> v3",
    );
  });

  it("renders the injector's database-credentials example", () => {
    const text =
      '{{#with (secret "database/creds/app")~}}\npostgresql://{{Data.username}}:{{Data.password}}@postgres:5432/app\n{{~/with}}\n';
    assert.equal(
      output(text),
      "postgresql://v-token-app-8sZkN2qLr4Xw9-1763781024:A1a-Zx9Qw2Er4Ty6Ui8O@postgres:5432/app",
    );
    assert.equal(
      output('{{#with (secret "database/creds/app")}}{{LeaseID}} {{LeaseDuration}}{{/with}}'),
      "database/creds/app/Yd4HkqCRBgk3wJ4zP0AAvS0E 3600",
    );
  });

  it("issues PKI certificates with Go-style k=v arguments or hash arguments (same dependency)", () => {
    const goStyle = render(
      '{{#with (secret "pki/issue/app" "common_name=app.example.test")}}{{Data.certificate}}\n{{Data.serial_number}}{{/with}}',
    );
    const hashStyle = render(
      '{{#with (secret "pki/issue/app" common_name="app.example.test")}}{{Data.certificate}}\n{{Data.serial_number}}{{/with}}',
    );
    assert.deepEqual(goStyle.missing, []);
    assert.equal(goStyle.output, hashStyle.output);
    assert.match(goStyle.output, /^-----BEGIN CERTIFICATE-----\nMIIBcert\n.*\n1f:2e:3d:4c$/s);
    assert.equal(goStyle.used[0]?.kind, "secret.write");
    assert.deepEqual(goStyle.used, hashStyle.used);
  });

  it("pkiCert exposes Cert, Key, CA and the chain", () => {
    assert.equal(
      output(
        '{{#with (pkiCert "pki/issue/app" "common_name=app.example.test")}}{{Cert}}|{{Key}}|{{CA}}|{{#each CAChain}}{{@index}}{{@first}}{{/each}}{{/with}}',
      ),
      [
        "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEkey\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----",
        "0true",
      ].join("|"),
    );
  });

  it("pkiCert's .Data holds the same PEM fields, as in the Go engine", () => {
    assert.equal(
      output(
        '{{#with (pkiCert "pki/issue/app" common_name="app.example.test")}}{{#if (eq Data.Cert Cert)}}same{{/if}}{{/with}}',
      ),
      "same",
    );
  });

  it("lists with secrets and loops over the names", () => {
    assert.equal(
      output('{{#each (secrets "kv/metadata/")}}[{{this}}]{{/each}}'),
      "[app][db/][nested]",
    );
  });

  it("records a missing secret, returns a placeholder and keeps finding the others", () => {
    const source = new FixedSource().set(dep("secret.read", "kv/data/app"), KV2_APP);
    const result = render(
      '{{#with (secret "kv/data/gone")}}{{Data.data.x}}{{/with}}{{#with (secret "kv/data/app")}}{{Data.data.user}}{{/with}}{{#with (secret "kv/data/gone2")}}{{/with}}',
      {},
      source,
    );
    assert.deepEqual(
      result.used.map((d) => d.key),
      ["secret.read(kv/data/gone)", "secret.read(kv/data/app)", "secret.read(kv/data/gone2)"],
    );
    assert.deepEqual(
      result.missing.map((d) => d.key),
      ["secret.read(kv/data/gone)", "secret.read(kv/data/gone2)"],
    );
  });

  it("records the same secret once however often it is used", () => {
    const result = render(
      '{{#with (secret "kv/data/app")}}{{Data.data.user}}{{/with}}{{#with (secret "kv/data/app")}}{{Data.data.user}}{{/with}}',
    );
    assert.equal(result.used.length, 1);
  });

  it("resolves a secret whose path is another secret's value over two passes", () => {
    const text =
      '{{#with (secret "kv/data/app")}}{{#with (secret Data.data.next)}}key={{Data.data.api_key}}{{/with}}{{/with}}';
    const template = engine.compile(text, { name: "nested.tpl" });
    const source = new FixedSource();
    const first = template.render(source, ENV);
    assert.deepEqual(
      first.missing.map((d) => d.key),
      ["secret.read(kv/data/app)"],
    );
    source.set(dep("secret.read", "kv/data/app"), KV2_APP);
    const second = template.render(source, ENV);
    assert.deepEqual(
      second.missing.map((d) => d.key),
      ["secret.read(kv/data/nested)"],
    );
    source.set(dep("secret.read", "kv/data/nested"), KV2_NESTED);
    const third: RenderResult = template.render(source, ENV);
    assert.deepEqual(third.missing, []);
    assert.equal(third.output, "key=k-123");
    assert.deepEqual(
      third.used.map((d) => d.key),
      ["secret.read(kv/data/app)", "secret.read(kv/data/nested)"],
    );
  });

  it("builds a path with printf from a missing secret without recording a bogus path", () => {
    const text =
      '{{#with (secret "kv/data/app")}}{{#with (secret (printf "kv/data/%s" (index Data.data "ref")))}}{{Data.data.api_key}}{{/with}}{{/with}}';
    const template = engine.compile(text, { name: "printf.tpl" });
    const first = template.render(new FixedSource(), ENV);
    assert.deepEqual(
      first.used.map((d) => d.key),
      ["secret.read(kv/data/app)"],
    );
  });

  it("in strict mode, a missing dependency is reported as missing, not as an error", () => {
    const result = render(
      '{{#with (secret "kv/data/gone")}}{{Data.data.password}}{{/with}}',
      { errorOnMissingKey: true },
      new FixedSource(),
    );
    assert.deepEqual(
      result.missing.map((d) => d.key),
      ["secret.read(kv/data/gone)"],
    );
  });

  it("prints adjacent numbers and booleans side by side (never adds them)", () => {
    assert.equal(
      output(
        '{{#with (secret "kv1/app")}}{{Data.port}}{{LeaseDuration}}{{Renewable}}{{#with (secret "database/creds/app")}}{{LeaseDuration}}{{Renewable}}{{/with}}{{/with}}',
      ),
      "54322764800false3600true",
    );
  });

  it("walks maps in Go's key order (byte-wise), integer-like keys included", () => {
    const source = new FixedSource().set(
      dep("secret.read", "kv/data/sorting"),
      secretFromEnvelope({
        data: { data: { zeta: 1, alpha: 2, Beta: 3, "10": "ten", "9": "nine", _u: "u" } },
      }),
    );
    const result = render(
      '{{#with (secret "kv/data/sorting")}}{{#each Data.data}}{{@index}}:{{@key}}={{this}};{{/each}}{{#each Data.data as |v k|}}{{k}}{{#if @last}}.{{/if}}{{/each}}{{/with}}',
      {},
      source,
    );
    assert.equal(
      result.output,
      "0:10=ten;1:9=nine;2:Beta=3;3:_u=u;4:alpha=2;5:zeta=1;109Beta_ualphazeta.",
    );
  });

  it("renders the else branch of each for an empty map", () => {
    const source = new FixedSource().set(
      dep("secret.read", "kv/data/empty"),
      secretFromEnvelope({ data: { data: {} } }),
    );
    assert.equal(
      render(
        '{{#with (secret "kv/data/empty")}}{{#each Data.data}}x{{else}}none{{/each}}{{/with}}',
        {},
        source,
      ).output,
      "none",
    );
  });

  it("renders the same bytes every time for the same data", () => {
    const text =
      '{{#with (secret "kv/data/app")}}{{#each Data.data}}{{@key}}={{this}}\n{{/each}}{{/with}}';
    assert.equal(output(text), output(text));
    assert.equal(output(text), "next=kv/data/nested\npassword=s3cr3t&<x>\nuser=app\n");
  });
});

describe("handlebars engine: missing keys", () => {
  it("prints nothing for a missing key by default", () => {
    assert.equal(output('{{#with (secret "kv/data/app")}}[{{Data.data.nope}}]{{/with}}'), "[]");
  });

  it("fails naming the key, line and column with error_on_missing_key", () => {
    const err = failure(() =>
      render('line one\n{{#with (secret "kv/data/app")}}\n  {{Data.data.nope}}{{/with}}', {
        errorOnMissingKey: true,
      }),
    );
    assert.equal(err.code, "TEMPLATE_EXEC");
    assert.equal(err.line, 3);
    assert.equal(err.column, 4);
    assert.equal(err.message, 'template: test.tpl:3:4: missing key "nope"');
  });

  it("with error_on_missing_key, also fails on missing keys in if, each and helper arguments", () => {
    for (const text of [
      '{{#with (secret "kv/data/app")}}{{#if Data.data.nope}}y{{/if}}{{/with}}',
      '{{#with (secret "kv/data/app")}}{{#each Data.data.nope}}x{{/each}}{{/with}}',
      '{{#with (secret "kv/data/app")}}{{toUpper Data.data.nope}}{{/with}}',
      '{{#with (secret "kv/data/app")}}{{#with (secret "pki/issue/app" common_name=Data.data.nope)}}{{/with}}{{/with}}',
    ]) {
      const err = failure(() => render(text, { errorOnMissingKey: true }));
      assert.match(err.message, /missing key "nope"/, text);
    }
    assert.equal(
      output(
        '{{#with (secret "kv/data/app")}}{{#if Data.data.user}}{{toUpper Data.data.user}}{{/if}}{{/with}}',
        {
          errorOnMissingKey: true,
        },
      ),
      "APP",
    );
  });

  it("never puts a secret value into the error message", () => {
    const err = failure(() =>
      render('{{#with (secret "kv/data/app")}}{{Data.data.password.length}}{{/with}}', {
        errorOnMissingKey: true,
      }),
    );
    assert.doesNotMatch(err.message, /s3cr3t/);
    assert.match(err.message, /^template: test\.tpl/);
  });
});

describe("handlebars engine: Go builtins", () => {
  it("compares, combines and indexes like Go templates", () => {
    assert.equal(
      output(
        '{{#with (secret "kv/data/app")}}{{#if (eq Data.data.user "app")}}yes{{else}}no{{/if}} {{#if (and (ne Data.data.user "x") (not ""))}}and{{/if}} {{len Data.data}} {{index Data.data "user"}} {{#if (gt (len Data.data) 2)}}more than 2{{/if}}{{/with}}',
      ),
      "yes and 3 app more than 2",
    );
  });

  it("refuses to compare a number from Vault's JSON with a number literal, as Go does", () => {
    const err = failure(() =>
      render(
        '{{#with (secret "kv/data/app")}}{{#if (gt Data.metadata.version 2)}}{{/if}}{{/with}}',
      ),
    );
    assert.match(err.message, /^template: test\.tpl:1:\d+: gt: incompatible types for comparison/);
  });

  it("formats with Go's printf, print and println", () => {
    assert.equal(
      output(
        '{{#with (secret "kv/data/app")}}{{printf "%s:%d|%v|%q|%5.2f" Data.data.user 5432 Data.metadata.version "x" 3.14159}}|{{print "a" 1 2 "b"}}|{{println "z" 3}}{{/with}}',
      ),
      'app:5432|3|"x"| 3.14|a1 2b|z 3\n',
    );
  });

  it("or returns the first true value, and the last one when none is", () => {
    assert.equal(output('{{or "" "fallback"}}|{{or "" 0}}'), "fallback|0");
  });
});

describe("handlebars engine: function library (the Go engine's functions)", () => {
  it("calls env, case, encoding and hashing functions", () => {
    assert.equal(
      output(
        '{{toUpper (env "APP_ENV")}} {{env "UNSET"}}| {{base64Encode "vaultlet"}} {{base64Decode "dmF1bHRsZXQ="}} {{sha256Hex "a"}}',
      ),
      "PROD | dmF1bHRsZXQ= vaultlet ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
    );
  });

  it("splits, joins, trims, replaces and indents", () => {
    assert.equal(
      output(
        '{{join ";" (split "," "a,b,c")}}|{{trimSpace "  x  "}}|{{replaceAll "a" "o" "banana"}}|{{indent 2 "l1\nl2"}}',
      ),
      "a;b;c|x|bonono|  l1\n  l2",
    );
  });

  it("prints toJSON with Vault's numbers as written and Go's key order", () => {
    assert.equal(
      output('{{#with (secret "kv1/app")}}{{toJSON Data}}{{/with}}'),
      '{"password":"p1","port":5432,"ratio":1e3,"user":"app"}',
    );
  });

  it("parses JSON into values templates can walk", () => {
    assert.equal(
      output('{{#with (parseJSON "{\\"a\\":{\\"b\\":[1,2]}}")}}{{a.b}}{{/with}}'),
      "1,2",
    );
  });

  it("passes numbers from Vault's JSON to string parameters as written", () => {
    assert.equal(output('{{#with (secret "kv1/app")}}{{toUpper Data.ratio}}{{/with}}'), "1E3");
  });

  it("reports a failing function with its name and position", () => {
    const err = failure(() => render('a\n  {{base64Decode "%%%"}}'));
    assert.equal(err.code, "TEMPLATE_EXEC");
    assert.match(err.message, /^template: test\.tpl:2:2: base64Decode: /);
  });

  it("checks the number of arguments", () => {
    assert.match(
      failure(() => render('{{toUpper "a" "b"}}')).message,
      /toUpper: wrong number of arguments: want 1, got 2/,
    );
    assert.match(
      failure(() => render('{{#each (secrets "a" "b")}}{{/each}}')).message,
      /secrets: wrong number of arguments: want 1, got 2/,
    );
  });

  it("accepts hash arguments only where k=v arguments belong", () => {
    assert.match(
      failure(() => render('{{toUpper "a" x="y"}}')).message,
      /toUpper: takes no key=value \(hash\) arguments/,
    );
  });
});

describe("handlebars engine: errors", () => {
  it("reports a syntax error with line and column", () => {
    const err = failure(() => engine.compile("ok\n{{#with x}}\n{{foo", { name: "bad.tpl" }));
    assert.equal(err.line, 3);
    assert.equal(err.column, 2);
    assert.equal(err.code, "TEMPLATE_PARSE");
    assert.match(err.message, /^template: bad\.tpl:3:2: syntax error: /);
    assert.doesNotMatch(err.message, /\n/);
  });

  it("reports an unclosed block", () => {
    const err = failure(() => engine.compile("a\n{{#if x}}b", { name: "open.tpl" }));
    assert.match(
      err.message,
      /^template: open\.tpl:2:\d+: syntax error: unexpected end of template/,
    );
  });

  it("reports mismatched block names at the opening block's name", () => {
    const err = failure(() => engine.compile("x\n {{#with a}}{{/if}}", { name: "m.tpl" }));
    assert.equal(err.message, "template: m.tpl:2:4: syntax error: with doesn't match if");
  });

  it("rejects an unknown function when compiling, even in a branch never taken", () => {
    const err = failure(() =>
      engine.compile("{{#if false}}\n   {{nosuch 1}}{{/if}}", { name: "u.tpl" }),
    );
    assert.equal(err.message, 'template: u.tpl:2:3: function "nosuch" not defined');
  });

  it("rejects a k=v argument without '='", () => {
    const err = failure(() => render('{{#with (secret "pki/issue/app" "common_name")}}{{/with}}'));
    assert.equal(err.message, "template: test.tpl:1:8: secret: not k=v pair (argument 2)");
  });

  it("rejects an empty secret path", () => {
    assert.match(
      failure(() => render('{{secret ""}}')).message,
      /secret: vault\.read: invalid format/,
    );
  });

  it("rejects an empty path argument when nothing is missing", () => {
    assert.match(
      failure(() => render('{{#with (secret "kv/data/app")}}{{secret Data.data.nope}}{{/with}}'))
        .message,
      /secret: argument 1 is empty \(no value\)/,
    );
  });

  it("refuses custom delimiters with a pointer to the go engine", () => {
    const err = failure(() =>
      engine.compile("[[ x ]]", { name: "d.tpl", leftDelimiter: "[[", rightDelimiter: "]]" }),
    );
    assert.match(err.message, /custom delimiters .* only with the go engine/);
  });

  it("does not offer log (it would print secrets)", () => {
    failure(() => engine.compile('{{log "x"}}', { name: "l.tpl" }));
  });
});

describe("handlebars engine: limits", () => {
  const small = createHandlebarsEngine({ limits: { maxIterations: 1000, maxOutputBytes: 4096 } });
  const source = new FixedSource().set(dep("secret.list", "big"), [
    ...Array.from({ length: 100 }, (_, i) => `k${i}`),
  ]);

  it("stops nested loops that run too many iterations", () => {
    const err = failure(() =>
      small
        .compile(
          '{{#each (secrets "big/")}}{{#each (secrets "big/")}}{{#each (secrets "big/")}}x{{/each}}{{/each}}{{/each}}',
          { name: "loop.tpl" },
        )
        .render(source, ENV),
    );
    assert.equal(err.code, "TEMPLATE_LIMIT");
    assert.match(err.message, /^template: loop\.tpl: stopped: more than 1000 loop iterations/);
  });

  it("stops output larger than the limit", () => {
    const err = failure(() =>
      small
        .compile('{{#each (secrets "big/")}}0123456789012345678901234567890123456789-{{/each}}', {
          name: "big.tpl",
        })
        .render(source, ENV),
    );
    assert.match(err.message, /stopped: output larger than 4096 bytes/);
  });

  it("refuses blocks nested deeper than the limit before parsing", () => {
    const deep = "{{#if true}}".repeat(5000) + "x" + "{{/if}}".repeat(5000);
    const err = failure(() => engine.compile(deep, { name: "deep.tpl" }));
    assert.equal(err.code, "TEMPLATE_LIMIT");
    assert.equal(err.message, "template: deep.tpl: stopped: blocks nested more than 200 deep");
    const fine = "{{#if true}}".repeat(50) + "x" + "{{/if}}".repeat(50);
    assert.equal(engine.compile(fine, { name: "ok.tpl" }).render(source, ENV).output, "x");
  });

  it("refuses a template larger than the limit", () => {
    const tiny = createHandlebarsEngine({ limits: { maxTemplateBytes: 100 } });
    const err = failure(() => tiny.compile("x".repeat(101), { name: "big.tpl" }));
    assert.equal(
      err.message,
      "template: big.tpl: stopped: template of 101 bytes is larger than 100",
    );
  });

  it("stops a partial that includes itself", () => {
    const err = failure(() =>
      engine
        .compile('{{#*inline "me"}}{{> me}}{{/inline}}{{> me}}', { name: "rec.tpl" })
        .render(source, ENV),
    );
    assert.match(err.message, /stopped: recursion too deep/);
  });
});
