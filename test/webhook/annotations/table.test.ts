import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  A,
  ANNOTATIONS,
  fullName,
  type AnnotationDef,
} from "../../../webhook/annotations/table.ts";
import { INJECTION } from "../../../webhook/annotations/table/injection.ts";
import { SECRETS } from "../../../webhook/annotations/table/secrets.ts";
import { AGENT } from "../../../webhook/annotations/table/agent.ts";
import { VAULT } from "../../../webhook/annotations/table/vault.ts";
import { VAULTLET } from "../../../webhook/annotations/table/vaultlet.ts";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import { annotated, inject, SETTINGS } from "../mutate/helpers.ts";

/**
 * One row per annotation in the table: values that parse (and to what),
 * values that are rejected. A new annotation without a row fails the
 * coverage test below.
 */
interface Row {
  good: Array<[string, unknown]>;
  bad?: string[];
  /** annotations (keys without the prefix) a good value needs beside it end to end */
  with?: Record<string, string>;
}

const BOOL: Row = {
  good: [
    ["true", true],
    ["1", true],
    ["T", true],
    ["False", false],
    ["0", false],
    ["", false],
  ],
  bad: ["yes", "on", "2"],
};
const QTY: Row = {
  good: [
    ["100m", "100m"],
    ["1.5Gi", "1.5Gi"],
    ["2", "2"],
    ["1e3", "1e3"],
    ["", ""],
  ],
  bad: ["lots", "-1", "1GB"],
};
const text = (v: string): Row => ({ good: [[v, v]] });
const PATH: Row = {
  good: [
    ["/etc/app", "/etc/app"],
    ["/etc//app/", "/etc/app"],
  ],
  bad: ["relative/path", "/a/../b", "/", "/x\u0000y"],
};
const FEATURES: Row = {
  good: [["auto-auth, templating", ["auto-auth", "templating"]]],
  bad: ["everything"],
};
const PATCH = '[{"op":"add","path":"/args","value":["-v"]}]';

const ROWS: Record<string, Row> = {
  "global:agent-inject": BOOL,
  "global:agent-inject-status": text("update"),
  "global:agent-request-namespace": text("elsewhere"),
  "global:agent-pre-populate": { ...BOOL, good: [["false", false], ...BOOL.good] },
  "global:agent-pre-populate-only": BOOL,
  "global:agent-init-first": BOOL,
  "global:agent-inject-containers": { good: [["web, metrics", ["web", "metrics"]]] },
  "per-secret:agent-inject-secret": text("secret/data/x"),
  "per-secret:agent-inject-template-file": text("/vault/custom/t.tmpl"),
  "per-secret:agent-inject-template": text('{{ with secret "s/a" }}{{ .Data.x }}{{ end }}'),
  "per-secret:agent-inject-file": {
    good: [
      ["sub/dir/a.txt", "sub/dir/a.txt"],
      ["/abs/a", "abs/a"],
      ["x/../y", "y"],
    ],
    bad: ["../escape", "a/../../b", "a\u0000b", "."],
  },
  "per-secret:agent-inject-perms": {
    good: [
      ["0400", 0o400],
      ["640", 0o640],
    ],
    bad: ["0999", "rw", "04755", "400000"],
  },
  "per-secret:agent-inject-command": text("pkill -HUP app"),
  "per-secret:error-on-missing-key": BOOL,
  "per-secret:agent-template-left-delim": text("[["),
  "per-secret:agent-template-right-delim": text("]]"),
  "per-secret:secret-volume-path": PATH,
  "per-secret:preserve-secret-case": BOOL,
  "per-secret:agent-template-engine": {
    good: [
      ["go", "go"],
      ["handlebars", "handlebars"],
      ["Go", "go"],
    ],
    bad: ["jinja"],
  },
  "global:secret-volume-path": PATH,
  "global:preserve-secret-case": BOOL,
  "global:agent-inject-default-template": {
    good: [
      ["json", "json"],
      ["MAP", "map"],
    ],
    bad: ["yaml"],
  },
  "global:agent-inject-token": BOOL,
  "global:agent-image": text("registry.example/vaultlet:2"),
  "global:agent-limits-cpu": QTY,
  "global:agent-limits-mem": QTY,
  "global:agent-limits-ephemeral": QTY,
  "global:agent-requests-cpu": QTY,
  "global:agent-requests-mem": QTY,
  "global:agent-requests-ephemeral": QTY,
  "global:agent-run-as-user": {
    good: [
      ["2000", 2000],
      ["0", 0],
    ],
    bad: ["-1", "abc", "1.5", "99999999999"],
  },
  "global:agent-run-as-group": {
    good: [["3000", 3000]],
    bad: ["-1", "wheel"],
  },
  "global:agent-run-as-same-user": BOOL,
  "global:agent-set-security-context": BOOL,
  "global:agent-share-process-namespace": BOOL,
  "global:agent-copy-volume-mounts": text("web"),
  "global:agent-configmap": text("agent-config"),
  "global:agent-extra-secret": text("extra"),
  "global:agent-service-account-token-volume-name": text("kube-api-access-abcde"),
  "global:agent-json-patch": {
    good: [[PATCH, JSON.parse(PATCH)]],
    bad: [
      "{}",
      "not json",
      '[{"op":"bad","path":"/x"}]',
      '[{"op":"add"}]',
      '[{"op":"add","path":"","value":1}]',
      "[1]",
    ],
  },
  "global:agent-init-json-patch": {
    good: [[PATCH, JSON.parse(PATCH)]],
    bad: ['[{"op":"remove","path":"/name"}]'],
  },
  "global:agent-revoke-on-shutdown": BOOL,
  "global:agent-revoke-grace": { good: [["10", 10]], bad: ["-1", "soon"] },
  "global:agent-cache-enable": BOOL,
  "global:agent-cache-use-auto-auth-token": {
    good: [
      ["force", "force"],
      ["TRUE", "true"],
      ["false", "false"],
    ],
    bad: ["maybe"],
  },
  "global:agent-cache-listener-port": { good: [["8300", 8300]], bad: ["0", "70000", "x"] },
  "global:agent-cache-exit-on-err": BOOL,
  "global:agent-enable-quit": BOOL,
  "global:agent-auto-auth-exit-on-err": BOOL,
  "global:auth-min-backoff": {
    good: [
      ["2s", 2000],
      ["3", 3000],
    ],
    bad: ["soon", "-1s"],
  },
  "global:auth-max-backoff": { good: [["10m", 600_000]], bad: ["later"] },
  "global:agent-disable-idle-connections": FEATURES,
  "global:agent-disable-keep-alives": FEATURES,
  "keyed:agent-telemetry": text("30s"),
  "global:template-config-exit-on-retry-failure": BOOL,
  "global:template-static-secret-render-interval": { good: [["1m", 60_000]], bad: ["often"] },
  "global:template-max-connections-per-host": { good: [["10", 10]], bad: ["-1", "many"] },
  "global:template-lease-renewal-threshold": {
    good: [["0.75", 0.75]],
    bad: ["one-third", "1.5", "0"],
  },
  "global:go-max-procs": { good: [["2", 2]], bad: ["0", "x"] },
  "global:service": text("https://other.example:8200"),
  "global:proxy-address": text("http://proxy.example:3128"),
  "global:tls-skip-verify": BOOL,
  "global:tls-server-name": text("vault.internal"),
  "global:tls-secret": text("vault-tls"),
  "global:ca-cert": text("/vault/tls/ca.crt"),
  "global:ca-key": text("/vault/tls/cas"),
  "global:client-cert": text("/vault/tls/tls.crt"),
  "global:client-key": text("/vault/tls/tls.key"),
  "global:client-max-retries": { good: [["3", 3]], bad: ["-2", "x"] },
  "global:client-timeout": { good: [["30s", 30_000]], bad: ["x"] },
  "global:log-level": {
    good: [
      ["debug", "debug"],
      ["WARN", "warn"],
      ["err", "error"],
    ],
    bad: ["loud"],
  },
  "global:log-format": { good: [["json", "json"]], bad: ["xml"] },
  "global:role": text("other-role"),
  "global:auth-type": text("jwt"),
  "global:auth-path": text("auth/other"),
  "keyed:auth-config": text("value"),
  "global:namespace": text("team-a"),
  "global:agent-native-sidecar": BOOL,
  "global:agent-service-account-token-projected": {
    ...BOOL,
    good: [["false", false], ...BOOL.good],
  },
  "global:agent-service-account-token-audience": text("https://vault.example"),
  "global:agent-service-account-token-expiration": {
    good: [
      ["600", 600],
      ["2h", 7200],
    ],
    bad: ["599", "10m30.5s", "x"],
  },
  "global:agent-secrets-volume-size-limit": { good: [["1Mi", "1Mi"]], bad: ["big"] },
  "global:agent-secrets-read-only": BOOL,
  "global:agent-allow-functions": {
    good: [
      ["writeToFile", ["writeToFile"]],
      ["plugin", ["plugin"]],
      ["plugin,writeToFile", ["plugin", "writeToFile"]],
    ],
    bad: ["", "exec", "writetofile", "writeToFile,sh"],
  },
  "per-secret:agent-inject-signal": {
    good: [
      ["SIGHUP", "SIGHUP"],
      ["hup", "SIGHUP"],
      [" usr1 ", "SIGUSR1"],
    ],
    bad: ["", "SIGNOPE", "reload", "9"],
    with: { "agent-inject-signal-process-a": "app" },
  },
  "per-secret:agent-inject-signal-process": {
    good: [
      ["nginx", "nginx"],
      [" checkout ", "checkout"],
    ],
    bad: ["", "  ", "/usr/sbin/nginx", "a\u0000b"],
    with: { "agent-inject-signal-a": "SIGHUP" },
  },
  "per-secret:agent-inject-signal-pid-file": {
    good: [["/vault/secrets/app.pid", "/vault/secrets/app.pid"]],
    bad: ["app.pid", "", "/run/a\u0000.pid"],
    with: { "agent-inject-signal-a": "SIGHUP" },
  },
};

function key(d: AnnotationDef): string {
  return `${d.kind}:${d.name}`;
}

/** The key a test pod carries for this annotation (secret "a", keyed suffix "x"). */
function annotationKey(d: AnnotationDef): string {
  if (d.kind === "per-secret") return fullName(d, "a");
  if (d.kind === "keyed") return fullName(d, "x");
  return fullName(d);
}

test("every annotation in the table has a test row, and every row an annotation", () => {
  assert.deepEqual(ANNOTATIONS.map(key).sort(), Object.keys(ROWS).sort());
});

test("each section file holds its own section's annotations, and the table is their union", () => {
  const files = {
    injection: INJECTION,
    secrets: SECRETS,
    agent: AGENT,
    vault: VAULT,
    vaultlet: VAULTLET,
  };
  const keys: string[] = [];
  for (const [section, entries] of Object.entries(files)) {
    for (const [k, d] of Object.entries(entries)) {
      assert.equal(d.section, section, `${k} is declared in table/${section}.ts`);
      assert.equal((A as Record<string, AnnotationDef>)[k], d, `${k} reaches the table`);
      keys.push(k);
    }
  }
  // a key declared in two files would be lost to the spread: every entry must survive
  assert.equal(new Set(keys).size, keys.length, "a key is declared in two section files");
  assert.deepEqual(keys.sort(), Object.keys(A).sort());
});

test("every annotation is documented with its form and default", () => {
  for (const d of ANNOTATIONS) {
    assert.ok(d.doc.length > 10, d.name);
    assert.ok(d.form.length > 2, d.name);
    assert.ok(d.defaultDoc.length > 0, d.name);
  }
});

describe("each annotation's parser", () => {
  for (const d of ANNOTATIONS) {
    const row = ROWS[key(d)];
    if (!row) continue;
    test(key(d), () => {
      for (const [raw, want] of row.good)
        assert.deepEqual(d.parse(raw), want, `${d.name}: ${JSON.stringify(raw)}`);
      for (const raw of row.bad ?? [])
        assert.throws(() => d.parse(raw), Error, `${d.name}: ${JSON.stringify(raw)}`);
    });
  }
});

describe("each annotation end to end", () => {
  // a pod with one secret "a", a uid on its first container and a default token mount
  const base = { "agent-inject-secret-a": "secret/data/a" };
  for (const d of ANNOTATIONS) {
    const row = ROWS[key(d)];
    if (!row) continue;
    test(`${key(d)}: a good value injects a valid pod; a bad one is rejected by name`, () => {
      const good = d.name === "agent-inject" ? "true" : row.good[0]![0];
      inject(annotated("default-sa", { ...base, ...row.with, [annotationKey(d)]: good }));
      for (const raw of row.bad ?? []) {
        const result = injectPod(
          annotated("default-sa", { ...base, ...row.with, [annotationKey(d)]: raw }),
          "default",
          SETTINGS,
        );
        assert.equal(result.kind, "reject", `${annotationKey(d)}=${JSON.stringify(raw)}`);
        if (result.kind === "reject") {
          assert.ok(result.message.includes(annotationKey(d)), result.message);
          assert.ok(result.message.includes(JSON.stringify(raw)), result.message);
        }
      }
    });
  }
});
