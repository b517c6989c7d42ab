/**
 * writeToFile and plugin: refused unless the compile options allow each by
 * name, and, when allowed, consul-template's semantics (the differential
 * test compares them with bao agent; these cover what it cannot: the
 * timeout, the environment, no shell, chown by number, the config key).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  parseAgentConfig,
  parseAgentConfigJson,
  toJson,
} from "../../../../shared/agent-config/index.ts";
import { createPlugin, writeToFile } from "../../../../agent/template/functions/outside.ts";
import { problemsOf } from "../../../shared/agent-config/helpers.ts";
import { render, renderError } from "../go/render-helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "vaultlet-outside-"));
const PATH_ENV = { PATH: process.env["PATH"] ?? "/usr/bin:/bin" };

test("refused unless allowed, and allowing one function does not allow the other", () => {
  const w = `{{ writeToFile "${join(dir, "r1")}" "" "" "0644" "x" }}`;
  const p = '{{ plugin "/bin/echo" "x" }}';
  for (const [text, name, allow] of [
    [w, "writeToFile", []],
    [p, "plugin", []],
    [w, "writeToFile", ["plugin"]],
    [p, "plugin", ["writeToFile"]],
  ] as const) {
    const e = renderError(`x\n${text}`, { name: "/vault/secrets/app", allowFunctions: allow });
    assert.equal(e.code, "TEMPLATE_REFUSED");
    assert.match(
      e.message,
      new RegExp(`^template: /vault/secrets/app:2:3: function "${name}" is refused: `),
    );
    assert.ok(e.message.includes(`vaultlet { allow_functions = ["${name}"] }`), e.message);
    assert.ok(e.message.includes(`-allow-function=${name}`), e.message);
  }
  assert.equal(existsSync(join(dir, "r1")), false);
  assert.equal(render(w, { allowFunctions: ["writeToFile"] }), "");
  assert.equal(readFileSync(join(dir, "r1"), "utf8"), "x");
  assert.equal(render(p, { allowFunctions: ["plugin"] }), "x");
});

test("the refusal names the template's source file when the config gives one", () => {
  const e = renderError('{{ plugin "/bin/true" }}', { name: "/out/a", source: "/etc/t/a.tpl" });
  assert.match(
    e.message,
    /^template: \/out\/a:1:3: function "plugin" \(template source "\/etc\/t\/a.tpl"\) is refused/,
  );
});

test("writeToFile: write, append, newline, mode and the owner by number", () => {
  const f = join(dir, "sub", "dir", "w1");
  assert.equal(writeToFile(f, "", "", "0600", "one"), "");
  assert.equal(statSync(f).mode & 0o777, 0o600);
  writeToFile(f, "", "", "0640", "append,newline", "two");
  writeToFile(f, "", "", "0640", "append", "three");
  assert.equal(readFileSync(f, "utf8"), "onetwo\nthree");
  assert.equal(statSync(f).mode & 0o777, 0o640);
  writeToFile(f, String(process.getuid!()), String(process.getgid!()), "4755", "newline", "four");
  assert.equal(readFileSync(f, "utf8"), "four\n");
  assert.equal(statSync(f).mode & 0o7777, 0o755, "only permission bits, as Go's os.Chmod");
  assert.equal(statSync(f).uid, process.getuid!());
});

test("writeToFile: Go's errors for bad modes and missing content", () => {
  const f = join(dir, "w2");
  assert.throws(() => writeToFile(f, "", "", "0o644", "x"), {
    message: 'strconv.ParseUint: parsing "0o644": invalid syntax',
  });
  assert.throws(() => writeToFile(f, "", "", "77777777777", "x"), {
    message: 'strconv.ParseUint: parsing "77777777777": value out of range',
  });
  assert.throws(() => writeToFile(f, "", "", "0644"), {
    message: "runtime error: index out of range [-1]",
  });
  assert.equal(existsSync(f), false);
});

test("plugin: no shell, arguments trimmed, output trimmed, only the agent's environment", () => {
  const run = createPlugin(PATH_ENV);
  const marker = join(dir, "not-created");
  assert.equal(run("echo", ` a; touch ${marker} `, "", "$HOME"), `a; touch ${marker} $HOME`);
  assert.equal(existsSync(marker), false);
  assert.equal(createPlugin({ ONLY: "this" })("/usr/bin/env"), "ONLY=this");
  assert.equal(run(""), "");
});

test("plugin: a command that runs too long is killed and reported, its arguments never shown", () => {
  const run = createPlugin(PATH_ENV, 300);
  assert.throws(
    () => run("/bin/sh", "-c", "sleep 5", "sh", "secret-argument-value"),
    (e: Error) => {
      assert.equal(e.message, 'exec "/bin/sh": did not finish in 300ms');
      return true;
    },
  );
  assert.throws(
    () => run("/bin/sh", "-c", "echo out; exit 4", "secret-argument-value"),
    (e: Error) => {
      assert.equal(e.message, 'exec "/bin/sh": exit status 4\n\nstdout:\n\nout\n\n\nstderr:\n\n');
      return true;
    },
  );
});

test("vaultlet { allow_functions } takes writeToFile and plugin only, and names the key otherwise", async () => {
  const base = 'vault {\n  address = "http://127.0.0.1:1"\n}\n';
  const ok = await parseAgentConfig(`${base}vaultlet {\n  allow_functions = ["plugin"]\n}\n`, {
    source: "a.hcl",
  });
  assert.deepEqual(ok.config.vaultlet, { allow_functions: ["plugin"] });
  const json = JSON.stringify(toJson(ok.config));
  assert.deepEqual(parseAgentConfigJson(json, "a.json").config.vaultlet, ok.config.vaultlet);
  const problems = await problemsOf(() =>
    parseAgentConfig(`${base}vaultlet {\n  allow_functions = ["plugin", "sh"]\n}\n`, {
      source: "a.hcl",
    }),
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /vaultlet\.allow_functions/);
  assert.match(problems[0]!, /each "writeToFile" or "plugin"/);
});

test("a failed plugin's error shows what it printed with the template's secrets redacted", () => {
  const text =
    '{{ with secret "secret/data/app" }}' +
    '{{ plugin "/bin/sh" "-c" "echo \\"$1\\" >&2; exit 2" "sh" .Data.data.password }}{{ end }}';
  const e = renderError(text, { allowFunctions: ["plugin"] });
  assert.equal(e.code, "TEMPLATE_EXEC");
  assert.match(
    e.message,
    /error calling plugin: exec "\/bin\/sh": exit status 2\n\nstdout:\n\n\n\nstderr:\n\n\[redacted\]\n$/,
  );
  assert.ok(!e.message.includes("s3cr3t!"), e.message);
});
