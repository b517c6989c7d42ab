import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AnnotationError, parseInjectionSpec } from "../../../webhook/annotations/parse.ts";
import { suggestAnnotation } from "../../../webhook/annotations/names.ts";
import type { Pod } from "../../../webhook/pod.ts";
import { P, SETTINGS } from "../mutate/helpers.ts";

function podWith(annotations: Record<string, string>): Pod {
  const full: Record<string, string> = { [`${P}agent-inject`]: "true", [`${P}role`]: "app" };
  for (const [k, v] of Object.entries(annotations)) full[P + k] = v;
  return { metadata: { annotations: full }, spec: { containers: [{ name: "app", image: "app" }] } };
}

function parse(annotations: Record<string, string>, settings = SETTINGS) {
  return parseInjectionSpec(podWith(annotations), settings);
}

function parseError(annotations: Record<string, string>): AnnotationError {
  try {
    parse(annotations);
  } catch (err) {
    assert.ok(err instanceof AnnotationError);
    assert.equal(err.code, "INVALID_ANNOTATION");
    return err;
  }
  assert.fail("expected INVALID_ANNOTATION");
}

describe("secret discovery", () => {
  test("names are lowercased unless preserve-secret-case (global or per secret)", () => {
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ "agent-inject-secret-foobar": "a" }, ["foobar"]],
      [{ "agent-inject-secret-FOOBAR": "a" }, ["foobar"]],
      [{ "agent-inject-secret-foobar-2_3": "a" }, ["foobar-2_3"]],
      [{ "agent-inject-secret-server.crt": "a" }, ["server.crt"]],
      [{ "agent-inject-secret-": "a", "agent-inject-secret": "b" }, []],
      [{ "agent-inject-secret-FOO": "a", "preserve-secret-case": "true" }, ["FOO"]],
      [
        {
          "agent-inject-secret-FOO": "a",
          "agent-inject-secret-BAR": "b",
          "preserve-secret-case-FOO": "true",
        },
        ["FOO", "bar"],
      ],
    ];
    for (const [annotations, names] of cases) {
      assert.deepEqual(
        parse(annotations).spec.secrets.map((s) => s.name),
        names,
        JSON.stringify(annotations),
      );
    }
  });

  test("matching order secret, template-file, template: template-file-x is x's file", () => {
    const { spec } = parse({
      "agent-inject-secret-foobar": "test1",
      "agent-inject-template-foobar": "",
      "agent-inject-template-file-foobar": "/etc/config.tmpl",
      "agent-inject-secret-test2": "test2",
      "agent-inject-template-test2": "foobarTemplate",
      "agent-inject-template-file-test2": "",
      "agent-inject-template-only-template": "onlyTemplate",
      "agent-inject-template-file-only-template-file": "onlyTemplateFile",
      "agent-inject-secret-test3": "test3",
      "agent-inject-template-test3": "t3",
      "agent-inject-template-file-test3": "/ignored/because/inline/wins",
      "agent-template-left-delim-test3": "${",
      "agent-template-right-delim-test3": "}",
    });
    const byName = Object.fromEntries(spec.secrets.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName), [
      "foobar",
      "test2",
      "only-template",
      "only-template-file",
      "test3",
    ]);
    assert.equal(byName.foobar?.templateFile, "/etc/config.tmpl");
    assert.equal(byName.foobar?.template, undefined);
    assert.equal(byName.test2?.template, "foobarTemplate");
    assert.equal(byName["only-template"]?.path, undefined);
    assert.equal(byName["only-template-file"]?.templateFile, "onlyTemplateFile");
    assert.equal(byName.test3?.templateFile, undefined);
    assert.equal(byName.test3?.leftDelimiter, "${");
    assert.equal(byName.test3?.rightDelimiter, "}");
  });

  test("blank defining annotations define nothing; misspelt prefixes are warned about", () => {
    const { spec, warnings } = parse({
      "agent-inject-secret-a": "  ",
      "agent-inject-templat-foobar": "x",
      "agent-inject-TEMPLATE-foobar": "x",
    });
    assert.deepEqual(spec.secrets, []);
    assert.ok(
      warnings.some(
        (w) =>
          w.includes("agent-inject-templat-foobar") &&
          w.includes("did you mean vault.hashicorp.com/agent-inject-template-foobar?"),
      ),
    );
    assert.ok(warnings.some((w) => w.includes("agent-inject-TEMPLATE-foobar is ignored")));
  });

  test("per-secret settings are read for the raw (case-kept) name", () => {
    const { spec } = parse({
      "agent-inject-secret-Db": "database/creds/x",
      "agent-inject-file-Db": "db/creds.env",
      "agent-inject-perms-Db": "0400",
      "agent-inject-command-Db": "kill -HUP 1",
      "error-on-missing-key-Db": "true",
    });
    assert.deepEqual(spec.secrets[0], {
      name: "db",
      rawName: "Db",
      path: "database/creds/x",
      template: undefined,
      templateFile: undefined,
      mountPath: "/vault/secrets",
      file: "db/creds.env",
      perms: 0o400,
      command: "kill -HUP 1",
      errorOnMissingKey: true,
      leftDelimiter: undefined,
      rightDelimiter: undefined,
      engine: "go",
      signal: undefined,
    });
  });

  test("per-secret annotations for an undefined secret are warned about", () => {
    const { warnings } = parse({
      "agent-inject-secret-a": "x",
      "agent-inject-file-notcorresponding": "f",
    });
    assert.ok(warnings.some((w) => w.includes('refers to secret "notcorresponding"')));
  });

  test("two secrets writing one file are rejected", () => {
    const err = parseError({
      "agent-inject-secret-a": "x",
      "agent-inject-secret-b": "y",
      "agent-inject-file-b": "a",
    });
    assert.match(err.message, /secrets "a" and "b" both write \/vault\/secrets\/a/);
  });

  test("file paths that leave the volume are rejected, naming annotation, value and fix", () => {
    const err = parseError({
      "agent-inject-secret-a": "x",
      "agent-inject-file-a": "../../etc/passwd",
    });
    assert.match(
      err.message,
      /vault\.hashicorp\.com\/agent-inject-file-a: "\.\.\/\.\.\/etc\/passwd" leaves the secrets volume; use/,
    );
    const dots = parseError({ "agent-inject-secret-..": "x" });
    assert.match(
      dots.message,
      /secret "\.\.": its name as a file leaves the secrets volume; set vault\.hashicorp\.com\/agent-inject-file-\.\./,
    );
    const vol = parseError({
      "agent-inject-secret-a": "x",
      "secret-volume-path-a": "/vault/../etc",
    });
    assert.match(vol.message, /secret-volume-path-a: "\/vault\/\.\.\/etc" contains "\.\."/);
  });

  test("handlebars needs a template of its own", () => {
    const err = parseError({
      "agent-inject-secret-a": "x",
      "agent-template-engine-a": "handlebars",
    });
    assert.match(err.message, /needs a handlebars template/);
  });
});

describe("defaults and errors", () => {
  test("defaults come from the settings; annotations are never rewritten", () => {
    const pod = podWith({ "agent-inject-secret-a": "x" });
    const before = JSON.stringify(pod);
    const settings = {
      ...SETTINGS,
      agentImage: "img:9",
      authPath: "auth/k",
      defaultTemplate: "json" as const,
      runAsUser: 42,
    };
    const { spec } = parseInjectionSpec(pod, settings);
    assert.equal(JSON.stringify(pod), before);
    assert.equal(spec.image, "img:9");
    assert.equal(spec.auth.path, "auth/k");
    assert.equal(spec.defaultTemplate, "json");
    assert.equal(spec.securityContext.runAsUser, 42);
    assert.equal(spec.vault.address, SETTINGS.vaultAddress);
    assert.ok(Object.isFrozen(spec));
  });

  test("every bad annotation is reported at once", () => {
    const err = parseError({
      "agent-run-as-user": "x",
      "agent-limits-mem": "much",
      "log-level": "loud",
    });
    assert.match(err.message, /agent-run-as-user: "x"/);
    assert.match(err.message, /agent-limits-mem: "much"/);
    assert.match(
      err.message,
      /log-level: "loud" is not one of "trace", "debug", "info", "warn", "error"/,
    );
  });

  test("warnings gathered before a rejection ride on the error", () => {
    const err = parseError({ "agent-run-as-user": "x", "agent-typo": "1" });
    assert.ok(err.warnings.some((w) => w.includes("agent-typo")));
  });

  test("min backoff longer than max is rejected", () => {
    assert.match(
      parseError({ "auth-min-backoff": "10s", "auth-max-backoff": "1s" }).message,
      /auth-min-backoff is longer/,
    );
  });
});

describe("unknown names", () => {
  test("did-you-mean for global and per-secret names", () => {
    const cases: Array<[string, string | undefined]> = [
      ["agent-pre-populat", "agent-pre-populate"],
      ["agent-inject-secrets-db", "agent-inject-secret-db"],
      ["agent-run-as-usr", "agent-run-as-user"],
      ["tls-skip-verfy", "tls-skip-verify"],
      ["agent-limit-cpu", "agent-limits-cpu"],
      ["something-completely-different", undefined],
    ];
    for (const [typo, want] of cases) assert.equal(suggestAnnotation(typo), want, typo);
  });

  test("other prefixes are not ours to judge", () => {
    const pod = podWith({});
    pod.metadata!.annotations!["example.com/whatever"] = "x";
    assert.deepEqual(parseInjectionSpec(pod, SETTINGS).warnings, []);
  });
});

describe("risk warnings", () => {
  test("plain HTTP to a remote Vault is warned about; loopback is not", () => {
    assert.ok(
      parse({}, { ...SETTINGS, vaultAddress: "http://vault.example:8200" }).warnings.some((w) =>
        w.includes("plain HTTP"),
      ),
    );
    assert.deepEqual(
      parse({}, { ...SETTINGS, vaultAddress: "http://127.0.0.1:8200" }).warnings,
      [],
    );
  });
});
