import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { injectPod } from "../../../webhook/mutate/inject.ts";
import {
  agentConfig,
  annotated,
  container,
  envOf,
  fixturePod,
  initContainer,
  inject,
  mountPaths,
  P,
  reject,
  SETTINGS,
  volumeNames,
} from "./helpers.ts";

describe("when the injector acts", () => {
  test("no agent-inject annotation, or false: skipped", () => {
    assert.equal(injectPod(fixturePod("minimal"), "default", SETTINGS).kind, "skip");
    const off = annotated("minimal", { "agent-inject": "false" });
    assert.deepEqual(injectPod(off, "default", SETTINGS), {
      kind: "skip",
      reason: `${P}agent-inject is false`,
    });
  });

  test("already injected pods are left alone; any other status injects again", () => {
    const done = annotated("minimal", { "agent-inject-status": "injected" });
    assert.equal(injectPod(done, "default", SETTINGS).kind, "skip");
    const again = annotated("minimal", { "agent-inject-status": "update" });
    const { pod } = inject(again);
    assert.equal(pod.metadata?.annotations?.[`${P}agent-inject-status`], "injected");
  });

  test("only Pending (or phase-less) pods", () => {
    const running = { ...annotated("minimal", {}), status: { phase: "Running" } };
    assert.equal(injectPod(running, "default", SETTINGS).kind, "skip");
    inject(fixturePod("job"), SETTINGS, "batch");
  });

  test("kube-system and kube-public are refused with a message", () => {
    for (const ns of ["kube-system", "kube-public"]) {
      const r = reject(annotated("minimal", {}), SETTINGS, ns);
      assert.match(r.message, new RegExp(ns));
    }
  });

  test("a bad agent-inject value is rejected naming the annotation", () => {
    const r = reject(annotated("minimal", { "agent-inject": "yes" }));
    assert.match(r.message, /vault\.hashicorp\.com\/agent-inject: "yes" is not a boolean/);
  });

  test("objects that are not pods are rejected, never thrown", () => {
    for (const bad of [
      null,
      42,
      "pod",
      [],
      {},
      { spec: { containers: "x" } },
      { spec: { containers: [] } },
    ]) {
      assert.equal(injectPod(bad, "default", SETTINGS).kind, "reject", JSON.stringify(bad));
    }
  });

  test("injecting the patched pod again is a no-op", () => {
    const { pod } = inject(annotated("default-sa", { "agent-inject-secret-a": "secret/a" }));
    assert.equal(injectPod(pod, "default", SETTINGS).kind, "skip");
  });
});

describe("basic injection (init and sidecar)", () => {
  const input = annotated("default-sa", { "agent-inject-secret-db": "database/creds/web" });
  const { pod, result } = inject(input);

  test("type, names and order of added containers", () => {
    assert.equal(result.injectionType, "init_and_sidecar");
    assert.deepEqual(
      pod.spec?.initContainers?.map((c) => c.name),
      ["migrate", "warmup", "vault-agent-init"],
    );
    assert.deepEqual(
      pod.spec?.containers?.map((c) => c.name),
      ["web", "metrics", "vault-agent"],
    );
  });

  test("volumes: existing ones kept, ours appended", () => {
    assert.deepEqual(volumeNames(pod), [
      "data",
      "kube-api-access-abcde",
      "home-init",
      "home-sidecar",
      "vaultlet-token",
      "vault-secrets",
    ]);
    const secrets = pod.spec?.volumes?.find((v) => v.name === "vault-secrets");
    assert.deepEqual(secrets?.emptyDir, { medium: "Memory" });
  });

  test("secrets mount on every app container and every other init container", () => {
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      assert.equal(mountPaths(c)["vault-secrets"], "/vault/secrets", c.name);
    }
    assert.equal(
      container(pod, "web").volumeMounts?.find((m) => m.name === "vault-secrets")?.readOnly,
      undefined,
    );
  });

  test("agent containers: command without a shell, env, resources, security context", () => {
    for (const c of [initContainer(pod, "vault-agent-init"), container(pod, "vault-agent")]) {
      assert.deepEqual(c.command, ["vaultlet", "agent", "-config-env=VAULT_CONFIG"]);
      assert.equal(c.image, SETTINGS.agentImage);
      assert.deepEqual(
        c.env?.slice(0, 3).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]),
        [
          ["NAMESPACE", "metadata.namespace"],
          ["HOST_IP", "status.hostIP"],
          ["POD_IP", "status.podIP"],
        ],
      );
      assert.deepEqual(c.resources, {
        limits: { cpu: "500m", memory: "128Mi" },
        requests: { cpu: "250m", memory: "64Mi" },
      });
      assert.deepEqual(c.securityContext, {
        runAsUser: 100,
        runAsGroup: 1000,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        allowPrivilegeEscalation: false,
      });
    }
    assert.deepEqual(mountPaths(initContainer(pod, "vault-agent-init")), {
      "vaultlet-token": "/var/run/secrets/vaultlet.io/serviceaccount",
      "home-init": "/home/vault",
      "vault-secrets": "/vault/secrets",
    });
    assert.equal(mountPaths(container(pod, "vault-agent"))["home-sidecar"], "/home/vault");
  });

  test("init config exits after auth, sidecar config does not", () => {
    const init = agentConfig(initContainer(pod, "vault-agent-init"));
    const side = agentConfig(container(pod, "vault-agent"));
    assert.equal(init.exit_after_auth, true);
    assert.equal(side.exit_after_auth, false);
    assert.deepEqual(side.auto_auth, {
      method: {
        type: "kubernetes",
        mount_path: "auth/kubernetes",
        config: { token_path: "/var/run/secrets/vaultlet.io/serviceaccount/token", role: "app" },
      },
      sink: [{ type: "file", config: { path: "/home/vault/.vault-token" } }],
    });
    assert.equal(side.pid_file, "/home/vault/.pid");
    assert.deepEqual(side.vault, { address: "https://vault.example:8200" });
    assert.deepEqual(side.template, [
      {
        destination: "/vault/secrets/db",
        contents:
          '{{ with secret "database/creds/web" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
        left_delimiter: "{{",
        right_delimiter: "}}",
      },
    ]);
    assert.deepEqual(side.template_config, { exit_on_retry_failure: true });
  });

  test("status annotation added beside the existing ones (RFC 6901 escaped)", () => {
    assert.ok(
      result.patch.some(
        (op) => op.path === "/metadata/annotations/vault.hashicorp.com~1agent-inject-status",
      ),
    );
    assert.equal(pod.metadata?.annotations?.["example.com/owner"], "team-a");
  });
});

describe("pods without volumes or init containers", () => {
  test("absent lists are created with one add, later items use /-", () => {
    const pod = fixturePod("minimal");
    pod.metadata = { ...pod.metadata, annotations: undefined };
    const input = annotated("minimal", {
      "agent-inject-secret-a": "secret/a",
      "secret-volume-path-b": "/b",
    });
    input.metadata!.annotations = Object.fromEntries(Object.entries(input.metadata!.annotations!));
    const { result, pod: out } = inject(input);
    const paths = result.patch.map((op) => op.path);
    assert.equal(paths.filter((p) => p === "/spec/volumes").length, 1);
    assert.equal(paths.indexOf("/spec/volumes"), 0);
    assert.ok(paths.includes("/spec/volumes/-"));
    assert.ok(paths.includes("/spec/initContainers"));
    assert.ok(paths.includes("/spec/containers/0/volumeMounts"));
    assert.equal(out.spec?.initContainers?.length, 1);
  });
});

describe("init-first", () => {
  test("agent init container goes first; others keep their order and get the mount", () => {
    const { pod, result } = inject(
      annotated("default-sa", { "agent-inject-secret-a": "s/a", "agent-init-first": "true" }),
    );
    assert.deepEqual(
      pod.spec?.initContainers?.map((c) => c.name),
      ["vault-agent-init", "migrate", "warmup"],
    );
    assert.ok(result.patch.some((op) => op.path === "/spec/initContainers/0"));
    assert.equal(mountPaths(initContainer(pod, "warmup"))["vault-secrets"], "/vault/secrets");
    assert.equal(mountPaths(initContainer(pod, "warmup")).data, "/data");
  });

  test("init-first on a pod without init containers", () => {
    const { pod } = inject(
      annotated("minimal", { "agent-inject-secret-a": "s/a", "agent-init-first": "true" }),
    );
    assert.deepEqual(
      pod.spec?.initContainers?.map((c) => c.name),
      ["vault-agent-init"],
    );
  });
});

describe("no init, init only", () => {
  test("pre-populate false: sidecar only, no home-init, other init containers untouched", () => {
    const { pod, result } = inject(
      annotated("default-sa", { "agent-inject-secret-a": "s/a", "agent-pre-populate": "false" }),
    );
    assert.equal(result.injectionType, "sidecar_only");
    assert.deepEqual(
      pod.spec?.initContainers?.map((c) => c.name),
      ["migrate", "warmup"],
    );
    assert.ok(!volumeNames(pod).includes("home-init"));
    assert.equal(mountPaths(initContainer(pod, "migrate"))["vault-secrets"], undefined);
  });

  test("pre-populate-only: init container only, no home-sidecar, no sidecar", () => {
    const { pod, result } = inject(
      annotated("minimal", { "agent-inject-secret-a": "s/a", "agent-pre-populate-only": "true" }),
    );
    assert.equal(result.injectionType, "init_only");
    assert.deepEqual(
      pod.spec?.containers?.map((c) => c.name),
      ["app"],
    );
    assert.ok(!volumeNames(pod).includes("home-sidecar"));
    assert.equal(agentConfig(initContainer(pod, "vault-agent-init")).exit_after_auth, true);
  });

  test("pre-populate false with pre-populate-only true leaves no agent: rejected", () => {
    const r = reject(
      annotated("minimal", { "agent-pre-populate": "false", "agent-pre-populate-only": "true" }),
    );
    assert.match(r.message, /leaves no agent/);
  });
});

describe("configmap", () => {
  test("no generated config; the mounted files are used; VAULT_ADDR and friends set", () => {
    const { pod } = inject(
      annotated(
        "minimal",
        { "agent-configmap": "my-agent-config", "ca-cert": "/vault/tls/ca.crt" },
        null,
      ),
    );
    const init = initContainer(pod, "vault-agent-init");
    const side = container(pod, "vault-agent");
    assert.deepEqual(init.command, ["vaultlet", "agent", "-config=/vault/configs/config-init.hcl"]);
    assert.deepEqual(side.command, ["vaultlet", "agent", "-config=/vault/configs/config.hcl"]);
    const env = envOf(side);
    assert.equal(env.VAULT_CONFIG, undefined);
    assert.equal(env.VAULT_ADDR, "https://vault.example:8200");
    assert.equal(env.VAULT_CACERT, "/vault/tls/ca.crt");
    assert.equal(env.VAULT_SKIP_VERIFY, "false");
    assert.equal(mountPaths(side)["vault-config"], "/vault/configs");
    assert.deepEqual(pod.spec?.volumes?.find((v) => v.name === "vault-config")?.configMap, {
      name: "my-agent-config",
    });
  });
});

describe("TLS", () => {
  test("tls-secret volume, CA and client cert paths in the config, skip-verify warned", () => {
    const { pod, result } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "tls-secret": "vault-tls",
        "ca-cert": "/vault/tls/ca.crt",
        "ca-key": "/vault/tls/cas",
        "client-cert": "/vault/tls/client.crt",
        "client-key": "/vault/tls/client.key",
        "tls-server-name": "vault.internal",
        "tls-skip-verify": "true",
      }),
    );
    const side = container(pod, "vault-agent");
    assert.equal(mountPaths(side)["vault-tls-secrets"], "/vault/tls");
    assert.deepEqual(pod.spec?.volumes?.find((v) => v.name === "vault-tls-secrets")?.secret, {
      secretName: "vault-tls",
    });
    assert.deepEqual(agentConfig(side).vault, {
      address: "https://vault.example:8200",
      ca_cert: "/vault/tls/ca.crt",
      ca_path: "/vault/tls/cas",
      tls_skip_verify: true,
      client_cert: "/vault/tls/client.crt",
      client_key: "/vault/tls/client.key",
      tls_server_name: "vault.internal",
    });
    assert.ok(result.warnings.some((w) => w.includes("tls-skip-verify")));
  });

  test("the injector's CA bundle reaches the agents as VAULT_CACERT_BYTES (base64 decoded)", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const settings = { ...SETTINGS, vaultCaCertBytes: Buffer.from(pem).toString("base64") };
    const { pod } = inject(annotated("minimal", { "agent-inject-secret-a": "s/a" }), settings);
    assert.equal(envOf(container(pod, "vault-agent")).VAULT_CACERT_BYTES, pem);
  });
});

describe("copy volume mounts", () => {
  test("mounts of the named container, without service-account token mounts", () => {
    const { pod } = inject(
      annotated("default-sa", {
        "agent-inject-secret-a": "s/a",
        "agent-copy-volume-mounts": "web",
      }),
    );
    for (const c of [initContainer(pod, "vault-agent-init"), container(pod, "vault-agent")]) {
      const m = mountPaths(c);
      assert.equal(m.data, "/data");
      assert.equal(m["kube-api-access-abcde"], undefined);
    }
  });

  test("a name that is not a container is a warning, not a failure", () => {
    const { result } = inject(
      annotated("default-sa", {
        "agent-inject-secret-a": "s/a",
        "agent-copy-volume-mounts": "nope",
      }),
    );
    assert.ok(result.warnings.some((w) => w.includes('"nope"')));
  });
});

describe("share process namespace", () => {
  test("set when asked", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-share-process-namespace": "true",
      }),
    );
    assert.equal(pod.spec?.shareProcessNamespace, true);
  });

  test("rejected when the pod explicitly disables it", () => {
    const pod = annotated("minimal", { "agent-share-process-namespace": "true" });
    pod.spec!.shareProcessNamespace = false;
    assert.match(reject(pod).message, /shareProcessNamespace: false/);
  });

  test("also with a sidecar-only pod (the reference only did it with an init container)", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-share-process-namespace": "true",
        "agent-pre-populate": "false",
      }),
    );
    assert.equal(pod.spec?.shareProcessNamespace, true);
  });
});

describe("custom paths", () => {
  test("secret-volume-path and per-secret paths: one volume per distinct path", () => {
    const { pod } = inject(
      annotated("default-sa", {
        "secret-volume-path": "/etc/secrets",
        "agent-inject-secret-a": "s/a",
        "agent-inject-secret-b": "s/b",
        "secret-volume-path-b": "/etc/b",
        "agent-inject-secret-c": "s/c",
        "secret-volume-path-c": "/etc/b",
        "agent-inject-file-c": "sub/c.txt",
      }),
    );
    assert.deepEqual(volumeNames(pod).slice(-2), ["vault-secrets", "vault-secrets-custom-0"]);
    const m = mountPaths(container(pod, "web"));
    assert.equal(m["vault-secrets"], "/etc/secrets");
    assert.equal(m["vault-secrets-custom-0"], "/etc/b");
    const templates = agentConfig(container(pod, "vault-agent")).template ?? [];
    assert.deepEqual(
      templates.map((t) => t.destination),
      ["/etc/secrets/a", "/etc/b/b", "/etc/b/sub/c.txt"],
    );
  });

  test("inject-containers limits which app containers get the mount", () => {
    const { pod, result } = inject(
      annotated("default-sa", {
        "agent-inject-secret-a": "s/a",
        "agent-inject-containers": "metrics,ghost",
      }),
    );
    assert.equal(mountPaths(container(pod, "web"))["vault-secrets"], undefined);
    assert.equal(mountPaths(container(pod, "metrics"))["vault-secrets"], "/vault/secrets");
    assert.ok(result.warnings.some((w) => w.includes('"ghost"')));
  });

  test("a secrets path that an app container already uses is rejected", () => {
    const r = reject(
      annotated("default-sa", { "agent-inject-secret-a": "s/a", "secret-volume-path": "/data" }),
    );
    assert.match(r.message, /already mounts "data" at \/data/);
  });
});

describe("json patches", () => {
  test("agent-json-patch and agent-init-json-patch change only their container", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-json-patch": JSON.stringify([
          { op: "replace", path: "/resources/limits/memory", value: "64Mi" },
          { op: "add", path: "/env/-", value: { name: "EXTRA", value: "1" } },
        ]),
        "agent-init-json-patch": JSON.stringify([{ op: "remove", path: "/resources/limits" }]),
      }),
    );
    assert.equal(container(pod, "vault-agent").resources?.limits?.memory, "64Mi");
    assert.equal(envOf(container(pod, "vault-agent")).EXTRA, "1");
    assert.equal(initContainer(pod, "vault-agent-init").resources?.limits, undefined);
    assert.equal(container(pod, "app").resources, undefined);
  });

  test("a patch that fails, renames the container or replaces it whole is rejected", () => {
    const cases: Array<[unknown[], RegExp]> = [
      [
        [{ op: "remove", path: "/nope" }],
        /operation 0 cannot be applied to the vault-agent container/,
      ],
      [[{ op: "replace", path: "/name", value: "x" }], /changes the container's name/],
      [[{ op: "replace", path: "", value: {} }], /whole container/],
      [[{ op: "move", from: "/spec", path: "/x" }], /cannot be applied/],
    ];
    for (const [patch, want] of cases) {
      const r = reject(
        annotated("minimal", {
          "agent-inject-secret-a": "s/a",
          "agent-json-patch": JSON.stringify(patch),
        }),
      );
      assert.match(r.message, want);
      assert.match(r.message, /agent-json-patch/);
    }
  });
});

describe("run-as rules", () => {
  test("run-as-same-user takes the first container's uid", () => {
    const { pod } = inject(
      annotated("default-sa", { "agent-inject-secret-a": "s/a", "agent-run-as-same-user": "true" }),
    );
    assert.equal(container(pod, "vault-agent").securityContext?.runAsUser, 1234);
  });

  test("run-as-same-user without a uid, or with root, is rejected", () => {
    assert.match(
      reject(annotated("minimal", { "agent-run-as-same-user": "true" })).message,
      /no securityContext\.runAsUser/,
    );
    const root = annotated("minimal", { "agent-run-as-same-user": "true" });
    root.spec!.containers[0]!.securityContext = { runAsUser: 0 };
    assert.match(reject(root).message, /runs as root/);
  });

  test("a bad uid names the annotation, the value and the form", () => {
    const r = reject(annotated("minimal", { "agent-run-as-user": "nobody" }));
    assert.match(
      r.message,
      /vault\.hashicorp\.com\/agent-run-as-user: "nobody" is not a whole number/,
    );
  });
});

describe("security context matrix", () => {
  const cases: Array<{
    name: string;
    settings?: Partial<typeof SETTINGS>;
    annotations: Record<string, string>;
    want: Record<string, unknown> | undefined;
    warn?: RegExp;
  }> = [
    {
      name: "defaults",
      annotations: {},
      want: { runAsUser: 100, runAsGroup: 1000, runAsNonRoot: true },
    },
    {
      name: "custom ids",
      annotations: { "agent-run-as-user": "2000", "agent-run-as-group": "3000" },
      want: { runAsUser: 2000, runAsGroup: 3000, runAsNonRoot: true },
    },
    {
      name: "root user",
      annotations: { "agent-run-as-user": "0" },
      want: { runAsUser: 0, runAsGroup: 1000, runAsNonRoot: false },
      warn: /run as root \(uid 0\)/,
    },
    {
      name: "root group",
      annotations: { "agent-run-as-group": "0" },
      want: { runAsUser: 100, runAsGroup: 0, runAsNonRoot: false },
      warn: /run as root \(gid 0\)/,
    },
    {
      name: "annotation off",
      annotations: { "agent-set-security-context": "false" },
      want: undefined,
      warn: /no securityContext/,
    },
    {
      name: "setting off",
      settings: { setSecurityContext: false },
      annotations: {},
      want: undefined,
      warn: /no securityContext/,
    },
    {
      name: "setting off, ids given: turned on",
      settings: { setSecurityContext: false },
      annotations: { "agent-run-as-user": "5" },
      want: { runAsUser: 5, runAsGroup: 1000, runAsNonRoot: true },
    },
    {
      name: "setting off, annotation on",
      settings: { setSecurityContext: false },
      annotations: { "agent-set-security-context": "true" },
      want: { runAsUser: 100, runAsGroup: 1000, runAsNonRoot: true },
    },
    {
      name: "settings ids",
      settings: { runAsUser: 7, runAsGroup: 8 },
      annotations: {},
      want: { runAsUser: 7, runAsGroup: 8, runAsNonRoot: true },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { pod, result } = inject(
        annotated("minimal", { "agent-inject-secret-a": "s/a", ...c.annotations }),
        { ...SETTINGS, ...c.settings },
      );
      for (const agent of [initContainer(pod, "vault-agent-init"), container(pod, "vault-agent")]) {
        if (c.want === undefined) assert.equal(agent.securityContext, undefined);
        else {
          assert.deepEqual(agent.securityContext, {
            ...c.want,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            allowPrivilegeEscalation: false,
          });
        }
      }
      if (c.warn)
        assert.ok(
          result.warnings.some((w) => c.warn!.test(w)),
          result.warnings.join("\n"),
        );
      else
        assert.ok(
          !result.warnings.some((w) => /root|securityContext/.test(w)),
          result.warnings.join("\n"),
        );
    });
  }
});

describe("resources", () => {
  test("annotations override, empty removes, ephemeral added", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-limits-cpu": "",
        "agent-limits-mem": "256Mi",
        "agent-limits-ephemeral": "1Gi",
        "agent-requests-cpu": "5m",
        "agent-requests-mem": "",
        "agent-requests-ephemeral": "128Mi",
      }),
    );
    assert.deepEqual(container(pod, "vault-agent").resources, {
      limits: { memory: "256Mi", "ephemeral-storage": "1Gi" },
      requests: { cpu: "5m", "ephemeral-storage": "128Mi" },
    });
  });

  test("settings give the defaults; all empty leaves resources empty", () => {
    const settings = { ...SETTINGS, cpuLimit: "", memLimit: "", cpuRequest: "", memRequest: "" };
    const { pod } = inject(annotated("minimal", { "agent-inject-secret-a": "s/a" }), settings);
    assert.deepEqual(container(pod, "vault-agent").resources, {});
  });

  test("a bad quantity is rejected with the accepted form", () => {
    const r = reject(annotated("minimal", { "agent-limits-cpu": "lots" }));
    assert.match(r.message, /agent-limits-cpu: "lots" is not a Kubernetes quantity; use .*"250m"/);
  });
});

describe("cache", () => {
  test("cache with init and sidecar persists through the cache volume", () => {
    const { pod } = inject(
      annotated("minimal", { "agent-inject-secret-a": "s/a", "agent-cache-enable": "true" }),
    );
    assert.ok(volumeNames(pod).includes("vault-agent-cache"));
    for (const c of [initContainer(pod, "vault-agent-init"), container(pod, "vault-agent")]) {
      const cfg = agentConfig(c);
      assert.deepEqual(cfg.listener, [
        { type: "tcp", address: "127.0.0.1:8200", tls_disable: true },
      ]);
      assert.deepEqual(cfg.cache, {
        use_auto_auth_token: "true",
        persist: { type: "kubernetes", path: "/vault/agent-cache" },
      });
      assert.equal(mountPaths(c)["vault-agent-cache"], "/vault/agent-cache");
    }
  });

  test("cache on a sidecar-only pod: listener on the chosen port, no persistence", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-cache-enable": "true",
        "agent-pre-populate": "false",
        "agent-cache-listener-port": "8300",
        "agent-cache-use-auto-auth-token": "force",
      }),
    );
    const cfg = agentConfig(container(pod, "vault-agent"));
    assert.deepEqual(cfg.listener, [{ type: "tcp", address: "127.0.0.1:8300", tls_disable: true }]);
    assert.deepEqual(cfg.cache, { use_auto_auth_token: "force" });
    assert.ok(!volumeNames(pod).includes("vault-agent-cache"));
  });

  test("enable-quit adds the agent API to the listener, with an empty cache stanza", () => {
    const { pod } = inject(
      annotated("minimal", { "agent-inject-secret-a": "s/a", "agent-enable-quit": "true" }),
    );
    const cfg = agentConfig(container(pod, "vault-agent"));
    assert.deepEqual(cfg.listener, [
      {
        type: "tcp",
        address: "127.0.0.1:8200",
        tls_disable: true,
        agent_api: { enable_quit: true },
      },
    ]);
    assert.deepEqual(cfg.cache, {});
  });
});

describe("auth config", () => {
  test("auth-config-* become method config (- to _), role wins, backoff and exit-on-err", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "auth-type": "kubernetes",
        "auth-path": "auth/k8s-prod",
        namespace: "team-a",
        "auth-config-role": "ignored",
        "auth-config-token-path": "/custom/token",
        "auth-config-extra-field": "x",
        "auth-min-backoff": "2s",
        "auth-max-backoff": "1m30s",
        "agent-auto-auth-exit-on-err": "true",
      }),
    );
    assert.deepEqual(agentConfig(container(pod, "vault-agent")).auto_auth.method, {
      type: "kubernetes",
      mount_path: "auth/k8s-prod",
      namespace: "team-a",
      config: { token_path: "/custom/token", extra_field: "x", role: "app" },
      min_backoff: "2s",
      max_backoff: "1m30s",
      exit_on_err: true,
    });
  });

  test("auth-config-role alone satisfies the role requirement", () => {
    const { pod } = inject(
      annotated("minimal", { "agent-inject-secret-a": "s/a", "auth-config-role": "r" }, null),
    );
    assert.equal(agentConfig(container(pod, "vault-agent")).auto_auth.method.config.role, "r");
  });

  test("kubernetes auth without a role is rejected with the fix", () => {
    const r = reject(annotated("minimal", { "agent-inject-secret-a": "s/a" }, null));
    assert.match(r.message, /no Vault role: set vault\.hashicorp\.com\/role/);
  });

  test("no Vault address anywhere is rejected", () => {
    const r = reject(annotated("minimal", {}), { ...SETTINGS, vaultAddress: "" });
    assert.match(r.message, /no Vault address/);
  });

  test("jwt auth reads the projected token through `path` and keeps the file", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "auth-type": "jwt",
        "auth-path": "auth/jwt",
      }),
    );
    assert.deepEqual(agentConfig(container(pod, "vault-agent")).auto_auth.method.config, {
      path: "/var/run/secrets/vaultlet.io/serviceaccount/token",
      remove_jwt_after_reading: false,
      role: "app",
    });
  });

  test("inject-token adds a second sink in the secrets volume", () => {
    const { pod } = inject(
      annotated("minimal", { "agent-inject-secret-a": "s/a", "agent-inject-token": "true" }),
    );
    assert.deepEqual(agentConfig(container(pod, "vault-agent")).auto_auth.sink, [
      { type: "file", config: { path: "/home/vault/.vault-token" } },
      { type: "file", config: { path: "/vault/secrets/token" } },
    ]);
  });
});

describe("revoke on shutdown", () => {
  test("preStop sleeps the grace period, then the agent revokes on SIGTERM (sidecar only)", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-revoke-on-shutdown": "true",
        "agent-revoke-grace": "7",
      }),
    );
    const side = container(pod, "vault-agent");
    assert.deepEqual(side.lifecycle, { preStop: { sleep: { seconds: 7 } } });
    assert.deepEqual(agentConfig(side).vaultlet, {
      listen: "127.0.0.1:8201",
      revoke_on_shutdown: true,
    });
    const init = initContainer(pod, "vault-agent-init");
    assert.equal(init.lifecycle, undefined);
    assert.equal(agentConfig(init).vaultlet, undefined);
  });
});

describe("native sidecar", () => {
  test("one agent init container with restartPolicy Always and a startup probe on /ready", () => {
    const { pod, result } = inject(fixturePod("job"), SETTINGS, "batch");
    assert.equal(result.injectionType, "native_sidecar");
    assert.deepEqual(
      pod.spec?.initContainers?.map((c) => c.name),
      ["vault-agent"],
    );
    assert.deepEqual(
      pod.spec?.containers?.map((c) => c.name),
      ["report"],
    );
    const agent = initContainer(pod, "vault-agent");
    assert.equal(agent.restartPolicy, "Always");
    assert.deepEqual(agent.startupProbe?.httpGet, { path: "/ready", port: 8201, scheme: "HTTP" });
    assert.ok(
      (agent.startupProbe?.failureThreshold ?? 0) * (agent.startupProbe?.periodSeconds ?? 0) >= 60,
    );
    const cfg = agentConfig(agent);
    assert.equal(cfg.exit_after_auth, false);
    assert.deepEqual(cfg.vaultlet, { listen: "0.0.0.0:8201" });
    assert.deepEqual(volumeNames(pod), ["home-sidecar", "vaultlet-token", "vault-secrets"]);
    assert.equal(mountPaths(container(pod, "report"))["vault-secrets"], "/vault/secrets");
    assert.match(cfg.template?.[0]?.contents ?? "", /toJSON/);
  });

  test("the webhook-wide flag turns it on; the annotation can turn it off", () => {
    const settings = { ...SETTINGS, nativeSidecar: true };
    assert.equal(
      inject(annotated("minimal", { "agent-inject-secret-a": "s/a" }), settings).result
        .injectionType,
      "native_sidecar",
    );
    const off = annotated("minimal", {
      "agent-inject-secret-a": "s/a",
      "agent-native-sidecar": "false",
    });
    assert.equal(inject(off, settings).result.injectionType, "init_and_sidecar");
  });

  test("without pre-populate there is no startup probe (the app does not wait)", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-native-sidecar": "true",
        "agent-pre-populate": "false",
      }),
    );
    assert.equal(initContainer(pod, "vault-agent").startupProbe, undefined);
    assert.equal(initContainer(pod, "vault-agent").restartPolicy, "Always");
  });

  test("pre-populate-only in native mode is a plain init container that exits", () => {
    const { pod, result } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-native-sidecar": "true",
        "agent-pre-populate-only": "true",
      }),
    );
    assert.equal(result.injectionType, "init_only");
    const init = initContainer(pod, "vault-agent-init");
    assert.equal(init.restartPolicy, undefined);
    assert.equal(agentConfig(init).exit_after_auth, true);
  });

  test("native sidecar goes after other init containers, or first with init-first", () => {
    const base = { "agent-inject-secret-a": "s/a", "agent-native-sidecar": "true" };
    assert.deepEqual(
      inject(annotated("default-sa", base)).pod.spec?.initContainers?.map((c) => c.name),
      ["migrate", "warmup", "vault-agent"],
    );
    assert.deepEqual(
      inject(
        annotated("default-sa", { ...base, "agent-init-first": "true" }),
      ).pod.spec?.initContainers?.map((c) => c.name),
      ["vault-agent", "migrate", "warmup"],
    );
  });

  test("agent-json-patch applies to the native agent; revoke adds the preStop sleep", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-native-sidecar": "true",
        "agent-revoke-on-shutdown": "true",
        "agent-json-patch": JSON.stringify([
          { op: "replace", path: "/startupProbe/failureThreshold", value: 30 },
        ]),
      }),
    );
    const agent = initContainer(pod, "vault-agent");
    assert.equal(agent.startupProbe?.failureThreshold, 30);
    assert.deepEqual(agent.lifecycle, { preStop: { sleep: { seconds: 5 } } });
  });
});

describe("audience-scoped token", () => {
  test("projected volume, mounted read-only into agent containers only", () => {
    const { pod } = inject(
      annotated("default-sa", {
        "agent-inject-secret-a": "s/a",
        "agent-service-account-token-audience": "https://vault.internal",
        "agent-service-account-token-expiration": "1h",
      }),
    );
    const volume = pod.spec?.volumes?.find((v) => v.name === "vaultlet-token");
    assert.deepEqual(volume?.projected?.sources, [
      {
        serviceAccountToken: {
          path: "token",
          audience: "https://vault.internal",
          expirationSeconds: 3600,
        },
      },
    ]);
    for (const c of [initContainer(pod, "vault-agent-init"), container(pod, "vault-agent")]) {
      assert.deepEqual(
        c.volumeMounts?.find((m) => m.name === "vaultlet-token"),
        {
          name: "vaultlet-token",
          mountPath: "/var/run/secrets/vaultlet.io/serviceaccount",
          readOnly: true,
        },
      );
      assert.equal(mountPaths(c)["kube-api-access-abcde"], undefined);
    }
    for (const name of ["web", "metrics"])
      assert.equal(mountPaths(container(pod, name))["vaultlet-token"], undefined);
    for (const name of ["migrate", "warmup"])
      assert.equal(mountPaths(initContainer(pod, name))["vaultlet-token"], undefined);
  });

  test("works when the pod does not automount a service-account token", () => {
    const pod = annotated("minimal", { "agent-inject-secret-a": "s/a" });
    pod.spec!.automountServiceAccountToken = false;
    inject(pod);
  });

  test("expiration below Kubernetes' minimum is rejected", () => {
    const r = reject(annotated("minimal", { "agent-service-account-token-expiration": "300" }));
    assert.match(
      r.message,
      /agent-service-account-token-expiration: "300" is not whole seconds of at least 600/,
    );
  });

  test("opt-out keeps the reference behaviour: the pod's service-account mount", () => {
    const { pod, result } = inject(
      annotated("default-sa", {
        "agent-inject-secret-a": "s/a",
        "agent-service-account-token-projected": "false",
      }),
    );
    assert.ok(!volumeNames(pod).includes("vaultlet-token"));
    const side = container(pod, "vault-agent");
    assert.deepEqual(side.volumeMounts?.[0], {
      name: "kube-api-access-abcde",
      mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
      readOnly: true,
    });
    assert.equal(
      agentConfig(side).auto_auth.method.config.token_path,
      "/var/run/secrets/kubernetes.io/serviceaccount/token",
    );
    assert.ok(result.warnings.some((w) => w.includes("default service-account token")));
  });

  test("opt-out without any service-account mount is rejected with the fix", () => {
    const r = reject(
      annotated("minimal", {
        "agent-inject-secret-a": "s/a",
        "agent-service-account-token-projected": "false",
      }),
    );
    assert.match(r.message, /no service account token volume mount found/);
  });

  test("a named projected volume of the pod is used (the seed checkout Deployment)", () => {
    const pod = fixturePod("checkout");
    pod.metadata!.annotations![`${P}agent-service-account-token-volume-name`] = "vault-token";
    const { pod: out, result } = inject(pod, SETTINGS, "payments");
    const side = container(out, "vault-agent");
    assert.deepEqual(side.volumeMounts?.[0], {
      name: "vault-token",
      mountPath: "/var/run/secrets/vault",
      readOnly: true,
    });
    const cfg = agentConfig(side);
    assert.equal(cfg.auto_auth.method.config.token_path, "/var/run/secrets/vault/vault-token");
    assert.equal(cfg.auto_auth.method.mount_path, "auth/kubernetes-eks-prod-cin");
    assert.ok(!result.warnings.some((w) => w.includes("default service-account token")));
  });

  test("the seed checkout Deployment as written injects with vaultlet's own token", () => {
    const { pod } = inject(fixturePod("checkout"), SETTINGS, "payments");
    const cfg = agentConfig(container(pod, "vault-agent"));
    assert.equal(cfg.template?.[0]?.destination, "/vault/secrets/db.env");
    assert.match(cfg.template?.[0]?.contents ?? "", /DB_USER=\{\{ \.Data\.username \}\}/);
    assert.deepEqual(volumeNames(pod), [
      "vault-token",
      "home-init",
      "home-sidecar",
      "vaultlet-token",
      "vault-secrets",
    ]);
  });
});

describe("vaultlet volume extensions", () => {
  test("tmpfs sizeLimit and read-only app mounts", () => {
    const { pod } = inject(
      annotated("default-sa", {
        "agent-inject-secret-a": "s/a",
        "secret-volume-path-b": "/etc/b",
        "agent-inject-secret-b": "s/b",
        "agent-secrets-volume-size-limit": "1Mi",
        "agent-secrets-read-only": "true",
      }),
    );
    for (const name of ["vault-secrets", "vault-secrets-custom-0"]) {
      assert.deepEqual(pod.spec?.volumes?.find((v) => v.name === name)?.emptyDir, {
        medium: "Memory",
        sizeLimit: "1Mi",
      });
    }
    for (const c of [container(pod, "web"), initContainer(pod, "migrate")]) {
      assert.ok(
        c.volumeMounts
          ?.filter((m) => m.name.startsWith("vault-secrets"))
          .every((m) => m.readOnly === true),
      );
    }
    for (const c of [container(pod, "vault-agent"), initContainer(pod, "vault-agent-init")]) {
      assert.ok(
        c.volumeMounts
          ?.filter((m) => m.name.startsWith("vault-secrets"))
          .every((m) => m.readOnly === undefined),
      );
    }
  });

  test("handlebars engine per secret", () => {
    const { pod } = inject(
      annotated("minimal", {
        "agent-inject-template-cfg": '{{#with (secret "kv/data/app")}}{{data.data.user}}{{/with}}',
        "agent-template-engine-cfg": "handlebars",
      }),
    );
    assert.equal(agentConfig(container(pod, "vault-agent")).template?.[0]?.engine, "handlebars");
  });
});

describe("collisions", () => {
  test("a pod that already has one of the injector's volumes or containers is rejected", () => {
    const pod = annotated("minimal", {});
    pod.spec!.volumes = [{ name: "vault-secrets", emptyDir: {} }];
    assert.match(reject(pod).message, /already has a volume named "vault-secrets"/);
    const pod2 = annotated("minimal", {});
    pod2.spec!.containers.push({ name: "vault-agent", image: "x" });
    assert.match(reject(pod2).message, /already has a container named "vault-agent"/);
  });
});

describe("aws auth (EKS IAM roles for service accounts)", () => {
  test("the web-identity token mount and AWS_* variables reach the agents", () => {
    const pod = annotated("minimal", {
      "agent-inject-secret-a": "s/a",
      "auth-type": "aws",
      "auth-path": "auth/aws",
      "auth-config-region": "eu-west-1",
    });
    const app = pod.spec!.containers[0]!;
    app.env = [
      { name: "AWS_ROLE_ARN", value: "arn:aws:iam::1:role/app" },
      {
        name: "AWS_WEB_IDENTITY_TOKEN_FILE",
        value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
      },
      { name: "AWS_REGION", value: "us-east-1" },
    ];
    app.volumeMounts = [
      {
        name: "aws-iam-token",
        mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount",
        readOnly: true,
      },
    ];
    pod.spec!.volumes = [
      {
        name: "aws-iam-token",
        projected: {
          sources: [
            {
              serviceAccountToken: {
                path: "token",
                audience: "sts.amazonaws.com",
                expirationSeconds: 86400,
              },
            },
          ],
        },
      },
    ];
    const { pod: out } = inject(pod);
    const side = container(out, "vault-agent");
    assert.equal(
      mountPaths(side)["aws-iam-token"],
      "/var/run/secrets/eks.amazonaws.com/serviceaccount",
    );
    const env = envOf(side);
    assert.equal(env.AWS_ROLE_ARN, "arn:aws:iam::1:role/app");
    assert.equal(
      env.AWS_WEB_IDENTITY_TOKEN_FILE,
      "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
    );
    assert.equal(env.AWS_REGION, "eu-west-1");
    assert.equal(agentConfig(side).auto_auth.method.config.region, "eu-west-1");
  });

  test("other auth types get neither", () => {
    const pod = annotated("minimal", { "agent-inject-secret-a": "s/a" });
    pod.spec!.containers[0]!.env = [{ name: "AWS_ROLE_ARN", value: "x" }];
    const { pod: out } = inject(pod);
    assert.equal(envOf(container(out, "vault-agent")).AWS_ROLE_ARN, undefined);
  });
});

test("native sidecar: an app port on the ops port is warned about", () => {
  const pod = annotated("minimal", {
    "agent-inject-secret-a": "s/a",
    "agent-native-sidecar": "true",
  });
  pod.spec!.containers[0]!.ports = [{ containerPort: 8201 }];
  const { result } = inject(pod);
  assert.ok(result.warnings.some((w) => w.includes("port 8201")));
});
