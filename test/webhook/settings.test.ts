import { test } from "node:test";
import assert from "node:assert/strict";
import { VaultletError } from "../../shared/errors.ts";
import {
  defaultSettings,
  SETTINGS,
  settingsFromEnvAndFlags,
  settingsUsage,
} from "../../webhook/settings.ts";

function fails(env: Record<string, string>, argv: string[], code: string, pattern: RegExp): void {
  assert.throws(
    () => settingsFromEnvAndFlags(env, argv),
    (err: unknown) =>
      err instanceof VaultletError && err.code === code && pattern.test(err.message),
  );
}

test("defaults match the reference injector's", () => {
  const d = defaultSettings();
  assert.equal(d.listen, ":8080");
  assert.equal(d.authType, "kubernetes");
  assert.equal(d.authPath, "auth/kubernetes");
  assert.equal(d.runAsUser, 100);
  assert.equal(d.runAsGroup, 1000);
  assert.equal(d.setSecurityContext, true);
  assert.equal(d.runAsSameUser, false);
  assert.equal(d.defaultTemplate, "map");
  assert.deepEqual(
    [d.cpuRequest, d.memRequest, d.cpuLimit, d.memLimit],
    ["250m", "64Mi", "500m", "128Mi"],
  );
  assert.equal(d.templateConfigExitOnRetryFailure, true);
  assert.deepEqual(settingsFromEnvAndFlags({}, []), d);
});

test("flags in Go and GNU forms; bare boolean flags", () => {
  const s = settingsFromEnvAndFlags({}, [
    "-vault-address=https://vault:8200",
    "--listen",
    ":9443",
    "--run-as-user=2000",
    "--revoke-on-shutdown",
    "--set-security-context=false",
    "--cpu-limit=",
    "--auth-min-backoff=2s",
    "--tls-auto-hosts=a.svc,b.svc",
    "--native-sidecar",
    "--token-expiration=1h",
  ]);
  assert.equal(s.vaultAddress, "https://vault:8200");
  assert.equal(s.listen, ":9443");
  assert.equal(s.runAsUser, 2000);
  assert.equal(s.revokeOnShutdown, true);
  assert.equal(s.setSecurityContext, false);
  assert.equal(s.cpuLimit, "");
  assert.equal(s.authMinBackoff, 2000);
  assert.deepEqual(s.tlsAutoHosts, ["a.svc", "b.svc"]);
  assert.equal(s.nativeSidecar, true);
  assert.equal(s.tokenExpirationSeconds, 3600);
});

test("every AGENT_INJECT_* variable named in the reference is read, and wins over the flag", () => {
  const env: Record<string, string> = {
    AGENT_INJECT_LISTEN: ":1",
    AGENT_INJECT_LOG_LEVEL: "debug",
    AGENT_INJECT_LOG_FORMAT: "json",
    AGENT_INJECT_VAULT_ADDR: "https://env:8200",
    AGENT_INJECT_VAULT_CACERT_BYTES: "PEM",
    AGENT_INJECT_PROXY_ADDR: "http://proxy:3128",
    AGENT_INJECT_VAULT_IMAGE: "img:1",
    AGENT_INJECT_VAULT_AUTH_TYPE: "jwt",
    AGENT_INJECT_VAULT_AUTH_PATH: "auth/jwt",
    AGENT_INJECT_VAULT_NAMESPACE: "ns",
    AGENT_INJECT_REVOKE_ON_SHUTDOWN: "true",
    AGENT_INJECT_RUN_AS_USER: "5",
    AGENT_INJECT_RUN_AS_GROUP: "6",
    AGENT_INJECT_RUN_AS_SAME_USER: "1",
    AGENT_INJECT_SET_SECURITY_CONTEXT: "f",
    AGENT_INJECT_TELEMETRY_PATH: "/metrics",
    AGENT_INJECT_USE_LEADER_ELECTOR: "true",
    AGENT_INJECT_DEFAULT_TEMPLATE: "json",
    AGENT_INJECT_CPU_REQUEST: "1m",
    AGENT_INJECT_MEM_REQUEST: "2Mi",
    AGENT_INJECT_EPHEMERAL_REQUEST: "3Mi",
    AGENT_INJECT_CPU_LIMIT: "4m",
    AGENT_INJECT_MEM_LIMIT: "5Mi",
    AGENT_INJECT_EPHEMERAL_LIMIT: "6Mi",
    AGENT_INJECT_TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE: "false",
    AGENT_INJECT_TEMPLATE_STATIC_SECRET_RENDER_INTERVAL: "1m",
    AGENT_INJECT_TLS_AUTO: "vault-agent-injector-cfg",
    AGENT_INJECT_TLS_AUTO_HOSTS: "svc,svc.ns",
    AGENT_INJECT_TLS_CERT_FILE: "/tls/tls.crt",
    AGENT_INJECT_TLS_KEY_FILE: "/tls/tls.key",
    AGENT_INJECT_TLS_MIN_VERSION: "tls13",
    AGENT_INJECT_AUTH_MIN_BACKOFF: "1s",
    AGENT_INJECT_AUTH_MAX_BACKOFF: "2m",
    NAMESPACE: "vault",
  };
  const s = settingsFromEnvAndFlags(env, [
    "-listen=:2",
    "-vault-address=https://flag:8200",
    "-run-as-user=9",
  ]);
  assert.deepEqual(
    { ...s },
    {
      ...defaultSettings(),
      listen: ":1",
      logLevel: "debug",
      logFormat: "json",
      vaultAddress: "https://env:8200",
      vaultCaCertBytes: "PEM",
      proxyAddress: "http://proxy:3128",
      agentImage: "img:1",
      authType: "jwt",
      authPath: "auth/jwt",
      vaultNamespace: "ns",
      revokeOnShutdown: true,
      runAsUser: 5,
      runAsGroup: 6,
      runAsSameUser: true,
      setSecurityContext: false,
      telemetryPath: "/metrics",
      useLeaderElector: true,
      defaultTemplate: "json",
      cpuRequest: "1m",
      memRequest: "2Mi",
      ephemeralRequest: "3Mi",
      cpuLimit: "4m",
      memLimit: "5Mi",
      ephemeralLimit: "6Mi",
      templateConfigExitOnRetryFailure: false,
      templateStaticSecretRenderInterval: 60_000,
      tlsAuto: "vault-agent-injector-cfg",
      tlsAutoHosts: ["svc", "svc.ns"],
      tlsCertFile: "/tls/tls.crt",
      tlsKeyFile: "/tls/tls.key",
      tlsMinVersion: "tls13",
      authMinBackoff: 1000,
      authMaxBackoff: 120_000,
      namespace: "vault",
    },
  );
});

test("an empty environment variable does not override the flag", () => {
  const s = settingsFromEnvAndFlags({ AGENT_INJECT_VAULT_ADDR: "" }, [
    "-vault-address=https://flag:8200",
  ]);
  assert.equal(s.vaultAddress, "https://flag:8200");
});

test("bad input: USAGE for unknown flags and stray words, INVALID_SETTING naming the flag or variable", () => {
  fails({}, ["-no-such-flag=1"], "USAGE", /unknown flag -no-such-flag/);
  fails({}, ["stray"], "USAGE", /unexpected argument "stray"/);
  fails({}, ["-listen"], "USAGE", /flag -listen needs a value/);
  fails(
    {},
    ["-run-as-user=abc"],
    "INVALID_SETTING",
    /flag -run-as-user: "abc" is not a whole number/,
  );
  fails(
    { AGENT_INJECT_REVOKE_ON_SHUTDOWN: "yes" },
    [],
    "INVALID_SETTING",
    /environment variable AGENT_INJECT_REVOKE_ON_SHUTDOWN: "yes" is not a boolean/,
  );
  fails(
    { AGENT_INJECT_CPU_LIMIT: "fast" },
    [],
    "INVALID_SETTING",
    /AGENT_INJECT_CPU_LIMIT: "fast" is not a Kubernetes quantity/,
  );
  fails(
    { AGENT_INJECT_DEFAULT_TEMPLATE: "yaml" },
    [],
    "INVALID_SETTING",
    /is not one of "map", "json"/,
  );
  fails({ AGENT_INJECT_AUTH_MIN_BACKOFF: "later" }, [], "INVALID_SETTING", /is not a duration/);
  fails(
    { AGENT_INJECT_TOKEN_EXPIRATION: "60" },
    [],
    "INVALID_SETTING",
    /shorter than Kubernetes allows/,
  );
  fails(
    {},
    ["-auth-min-backoff=1m", "-auth-max-backoff=1s"],
    "INVALID_SETTING",
    /auth-min-backoff is longer/,
  );
});

test("log levels accept the reference's spellings", () => {
  for (const [raw, want] of [
    ["err", "error"],
    ["warning", "warn"],
    ["notice", "info"],
    ["TRACE", "trace"],
  ] as const) {
    assert.equal(settingsFromEnvAndFlags({ AGENT_INJECT_LOG_LEVEL: raw }, []).logLevel, want);
  }
});

test("usage lists every flag with its variable; flags and variables are unique", () => {
  const text = settingsUsage();
  for (const s of SETTINGS) {
    assert.ok(text.includes(`-${s.flag}`) && text.includes(s.env), s.flag);
  }
  assert.equal(new Set(SETTINGS.map((s) => s.flag)).size, SETTINGS.length);
  assert.equal(new Set(SETTINGS.map((s) => s.env)).size, SETTINGS.length);
  assert.deepEqual(new Set(SETTINGS.map((s) => s.key)), new Set(Object.keys(defaultSettings())));
});
