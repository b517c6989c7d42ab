import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAgentConfigJson } from "../../../shared/agent-config/parse.ts";
import { agentConfig, annotated, container, initContainer, inject, P, reject } from "./helpers.ts";

/** agent-inject-signal-*: a reload signal without a shell in the agent image. */
const SIGNALLED = {
  "agent-inject-secret-config.json": "secret/data/app",
  "agent-inject-signal-config.json": "hup",
  "agent-inject-signal-process-config.json": "checkout",
  "agent-inject-secret-db.env": "database/creds/app",
  "agent-inject-signal-db.env": "SIGUSR1",
  "agent-inject-signal-pid-file-db.env": "/vault/secrets/app.pid",
};

describe("signal annotations in the generated agent config", () => {
  test("the sidecar's templates carry signal blocks that the agent's config parser accepts", () => {
    const { pod } = inject(annotated("default-sa", SIGNALLED));
    const json = agentConfig(container(pod, "vault-agent"));
    const { config, warnings } = parseAgentConfigJson(JSON.stringify(json), "sidecar.json");
    assert.deepEqual(warnings, []);
    const byDest = new Map(config.template.map((t) => [t.destination, t]));
    assert.deepEqual(byDest.get("/vault/secrets/config.json")?.signal, {
      signal: "SIGHUP",
      process_name: "checkout",
    });
    assert.deepEqual(byDest.get("/vault/secrets/db.env")?.signal, {
      signal: "SIGUSR1",
      pid_file: "/vault/secrets/app.pid",
    });
  });

  test("the init container renders before the app exists, so its config signals nobody", () => {
    const { pod } = inject(annotated("default-sa", SIGNALLED));
    const json = agentConfig(initContainer(pod, "vault-agent-init"));
    assert.equal(json.template?.length, 2);
    for (const t of json.template ?? []) assert.equal(t.signal, undefined, t.destination);
  });

  test("a native sidecar's config carries the signal block", () => {
    const { pod } = inject(
      annotated("default-sa", { ...SIGNALLED, "agent-native-sidecar": "true" }),
    );
    const json = agentConfig(initContainer(pod, "vault-agent"));
    assert.ok(json.template?.every((t) => t.signal !== undefined));
  });

  test("command and signal together: both in the template (the command runs first)", () => {
    const { pod } = inject(
      annotated("default-sa", { ...SIGNALLED, "agent-inject-command-config.json": "touch /x" }),
    );
    const t = agentConfig(container(pod, "vault-agent")).template?.find((x) =>
      x.destination.endsWith("config.json"),
    );
    assert.equal(t?.command, "touch /x");
    assert.deepEqual(t?.signal, { signal: "SIGHUP", process_name: "checkout" });
  });

  test("any signal annotation turns on the pod's shared process namespace", () => {
    const { pod } = inject(annotated("default-sa", SIGNALLED));
    assert.equal(pod.spec?.shareProcessNamespace, true);
    const plain = inject(annotated("default-sa", { "agent-inject-secret-a": "secret/data/a" }));
    assert.equal(plain.pod.spec?.shareProcessNamespace, undefined);
  });
});

describe("signal annotation checks", () => {
  const base = { "agent-inject-secret-a": "secret/data/a" };

  test("a signal needs a target, named in the error", () => {
    const { message } = reject(
      annotated("default-sa", { ...base, "agent-inject-signal-a": "HUP" }),
    );
    assert.match(message, new RegExp(`${P}agent-inject-signal-a needs a target`));
    assert.ok(message.includes(`${P}agent-inject-signal-process-a`), message);
    assert.ok(message.includes(`${P}agent-inject-signal-pid-file-a`), message);
  });

  test("a signal takes exactly one target", () => {
    const { message } = reject(
      annotated("default-sa", {
        ...base,
        "agent-inject-signal-a": "HUP",
        "agent-inject-signal-process-a": "app",
        "agent-inject-signal-pid-file-a": "/run/app.pid",
      }),
    );
    assert.match(
      message,
      /both .*agent-inject-signal-process-a and .*agent-inject-signal-pid-file-a/,
    );
  });

  test("a target without a signal is refused rather than ignored", () => {
    const { message } = reject(
      annotated("default-sa", { ...base, "agent-inject-signal-pid-file-a": "/run/app.pid" }),
    );
    assert.ok(message.includes(`${P}agent-inject-signal-pid-file-a names a process`), message);
    assert.ok(message.includes(`add ${P}agent-inject-signal-a`), message);
  });

  test("an unknown signal name is refused with the annotation and value", () => {
    const { message } = reject(
      annotated("default-sa", {
        ...base,
        "agent-inject-signal-a": "SIGRELOAD",
        "agent-inject-signal-process-a": "app",
      }),
    );
    assert.ok(
      message.includes(`${P}agent-inject-signal-a: "SIGRELOAD" is not a signal name`),
      message,
    );
  });

  test("agent-inject-signal-process-x is the process of secret x, never the signal of secret process-x", () => {
    const { pod, result } = inject(
      annotated("default-sa", {
        "agent-inject-secret-x": "secret/data/x",
        "agent-inject-signal-x": "HUP",
        "agent-inject-signal-process-x": "app",
        "agent-inject-signal-pid-file-y": "/run/y.pid",
        "agent-inject-signal-y": "HUP",
        "agent-inject-secret-y": "secret/data/y",
      }),
    );
    const templates = agentConfig(container(pod, "vault-agent")).template ?? [];
    assert.deepEqual(
      templates.map((t) => [t.destination, t.signal]),
      [
        ["/vault/secrets/x", { signal: "SIGHUP", process_name: "app" }],
        ["/vault/secrets/y", { signal: "SIGHUP", pid_file: "/run/y.pid" }],
      ],
    );
    assert.deepEqual(
      result.warnings.filter((w) => w.includes("signal")),
      [],
      "no orphan or unknown-name warning",
    );
  });

  test("the pod's shareProcessNamespace: false conflicts with a signal", () => {
    const pod = annotated("default-sa", {
      ...base,
      "agent-inject-signal-a": "HUP",
      "agent-inject-signal-process-a": "app",
    });
    pod.spec = { ...pod.spec!, shareProcessNamespace: false };
    const { message } = reject(pod);
    assert.match(message, /agent-inject-signal-a needs the pod's shared process namespace/);
    assert.match(message, /shareProcessNamespace: false/);
  });

  test("agent-share-process-namespace: false conflicts with a signal", () => {
    const { message } = reject(
      annotated("default-sa", {
        ...base,
        "agent-inject-signal-a": "HUP",
        "agent-inject-signal-process-a": "app",
        "agent-share-process-namespace": "false",
      }),
    );
    assert.ok(message.includes(`${P}agent-share-process-namespace is false`), message);
  });
});
