import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Container, Pod } from "../../../webhook/pod.ts";
import { annotated, container, initContainer, inject, P, reject, SETTINGS } from "./helpers.ts";

/**
 * A signal from the agent reaches the app only when both run as the same
 * uid (no CAP_KILL in the agent), so the webhook picks the agent's ids from
 * the signalled container as the pod will really run it.
 */
const SIGNAL = {
  "agent-inject-secret-config.json": "secret/data/app",
  "agent-inject-signal-config.json": "SIGHUP",
  "agent-inject-signal-process-config.json": "checkout",
};

type SecurityContext = NonNullable<Container["securityContext"]>;

/** The minimal pod (one container "app", no securityContext) with the given contexts. */
function pod(
  annotations: Record<string, string>,
  contexts: {
    pod?: NonNullable<Pod["spec"]>["securityContext"];
    app?: SecurityContext;
    more?: Container[];
  } = {},
): Pod {
  const p = annotated("minimal", annotations);
  const app = {
    ...p.spec!.containers[0]!,
    ...(contexts.app ? { securityContext: contexts.app } : {}),
  };
  p.spec = {
    ...p.spec!,
    containers: [app, ...(contexts.more ?? [])],
    ...(contexts.pod ? { securityContext: contexts.pod } : {}),
  };
  return p;
}

/** runAsUser/runAsGroup/runAsNonRoot of every agent container, which must agree. */
function agentIds(p: Pod): { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean } {
  const agents = [
    ...(p.spec?.initContainers ?? []).filter((c) => c.name.startsWith("vault-agent")),
    ...(p.spec?.containers ?? []).filter((c) => c.name.startsWith("vault-agent")),
  ];
  assert.ok(agents.length > 0, "no agent container");
  const all = agents.map((c) => {
    const sc = c.securityContext ?? {};
    return { runAsUser: sc.runAsUser, runAsGroup: sc.runAsGroup, runAsNonRoot: sc.runAsNonRoot };
  });
  for (const ids of all) assert.deepEqual(ids, all[0], "init and sidecar run as the same ids");
  return all[0]!;
}

const signalWarnings = (warnings: string[]) =>
  warnings.filter((w) => w.includes(`${P}agent-inject-signal-config.json`));

describe("agent ids when a template signals the app", () => {
  test("pod-level runAsUser/runAsGroup: the agents run as the app's uid and gid, the app reads its files as their owner", () => {
    const { pod: out, result } = inject(
      pod(SIGNAL, { pod: { runAsUser: 10001, runAsGroup: 3000 } }),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 10001, runAsGroup: 3000, runAsNonRoot: true });
    assert.deepEqual(result.warnings, []);
    // the agents' own securityContext is otherwise the restrictive one: no capability added
    const sc = container(out, "vault-agent").securityContext!;
    assert.deepEqual(sc.capabilities, { drop: ["ALL"] });
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.equal(initContainer(out, "vault-agent-init").securityContext?.runAsUser, 10001);
  });

  test("the container's runAsUser and runAsGroup win over the pod's, each on its own", () => {
    const both = inject(
      pod(SIGNAL, {
        pod: { runAsUser: 2000, runAsGroup: 2100, fsGroup: 2200 },
        app: { runAsUser: 3000, runAsGroup: 3100 },
      }),
    );
    assert.deepEqual(agentIds(both.pod), { runAsUser: 3000, runAsGroup: 3100, runAsNonRoot: true });
    const userOnly = inject(
      pod(SIGNAL, { pod: { runAsUser: 2000, runAsGroup: 2100 }, app: { runAsUser: 3000 } }),
    );
    assert.deepEqual(agentIds(userOnly.pod), {
      runAsUser: 3000,
      runAsGroup: 2100,
      runAsNonRoot: true,
    });
  });

  test("the same uid as the injector's default changes nothing and warns of nothing", () => {
    const { pod: out, result } = inject(pod(SIGNAL, { app: { runAsUser: 100, runAsGroup: 1000 } }));
    assert.deepEqual(agentIds(out), { runAsUser: 100, runAsGroup: 1000, runAsNonRoot: true });
    assert.deepEqual(result.warnings, []);
  });

  test("a known uid without a group keeps the injector's group (the uid alone decides who can be signalled)", () => {
    const { pod: out } = inject(pod(SIGNAL, { app: { runAsUser: 4242 } }));
    assert.deepEqual(agentIds(out), { runAsUser: 4242, runAsGroup: 1000, runAsNonRoot: true });
  });

  test("the injector's own -run-as-user default gives way: the app's uid is what signals need", () => {
    const { pod: out } = inject(pod(SIGNAL, { pod: { runAsUser: 10001 } }), {
      ...SETTINGS,
      runAsUser: 7,
      runAsGroup: 8,
    });
    assert.deepEqual(agentIds(out), { runAsUser: 10001, runAsGroup: 8, runAsNonRoot: true });
  });

  test("a root group is never copied: the agents keep the injector's group", () => {
    const { pod: out, result } = inject(pod(SIGNAL, { pod: { runAsUser: 10001, runAsGroup: 0 } }));
    assert.deepEqual(agentIds(out), { runAsUser: 10001, runAsGroup: 1000, runAsNonRoot: true });
    assert.deepEqual(result.warnings, []);
  });

  test("without signals the reference's defaults stay, whatever the app runs as", () => {
    const { pod: out } = inject(
      pod(
        { "agent-inject-secret-a": "secret/data/a" },
        { pod: { runAsUser: 10001, runAsGroup: 3000 } },
      ),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 100, runAsGroup: 1000, runAsNonRoot: true });
  });

  test("a native sidecar gets the app's ids too", () => {
    const { pod: out } = inject(
      pod(
        { ...SIGNAL, "agent-native-sidecar": "true" },
        { pod: { runAsUser: 10001, runAsGroup: 1000 } },
      ),
    );
    assert.equal(initContainer(out, "vault-agent").securityContext?.runAsUser, 10001);
    assert.deepEqual(agentIds(out), { runAsUser: 10001, runAsGroup: 1000, runAsNonRoot: true });
  });
});

describe("which container is signalled", () => {
  const two = (annotations: Record<string, string>) =>
    pod(annotations, {
      app: { runAsUser: 1001 },
      more: [
        {
          name: "worker",
          image: "registry.example/worker:1",
          securityContext: { runAsUser: 2002, runAsGroup: 2100 },
        },
      ],
    });

  test("by default the pod's first container; other uids are named in a warning with the fix", () => {
    const { pod: out, result } = inject(two(SIGNAL));
    assert.equal(agentIds(out).runAsUser, 1001);
    const [w, ...rest] = signalWarnings(result.warnings);
    assert.deepEqual(rest, []);
    assert.ok(w?.includes(`cannot signal processes of "worker" (uid 2002)`), w);
    assert.ok(w?.includes(`${P}agent-inject-containers`), w);
  });

  test("the first container named in agent-inject-containers", () => {
    const { pod: out, result } = inject(
      two({ ...SIGNAL, "agent-inject-containers": "worker,app" }),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 2002, runAsGroup: 2100, runAsNonRoot: true });
    assert.ok(signalWarnings(result.warnings)[0]?.includes(`"app" (uid 1001)`));
  });

  test("a container that gets no secrets is not warned about", () => {
    const { pod: out, result } = inject(two({ ...SIGNAL, "agent-inject-containers": "app" }));
    assert.equal(agentIds(out).runAsUser, 1001);
    assert.deepEqual(result.warnings, []);
  });

  test("containers of the same uid warn of nothing", () => {
    const p = pod(SIGNAL, {
      pod: { runAsUser: 5000 },
      more: [{ name: "worker", image: "registry.example/worker:1" }],
    });
    const { pod: out, result } = inject(p);
    assert.equal(agentIds(out).runAsUser, 5000);
    assert.deepEqual(result.warnings, []);
  });
});

describe("the pod's own choice of agent user", () => {
  test("agent-run-as-user equal to the app's uid: kept, no warning", () => {
    const { pod: out, result } = inject(
      pod(
        { ...SIGNAL, "agent-run-as-user": "10001" },
        { pod: { runAsUser: 10001, runAsGroup: 3000 } },
      ),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 10001, runAsGroup: 1000, runAsNonRoot: true });
    assert.deepEqual(result.warnings, []);
  });

  test("agent-run-as-user of another uid: kept, with a warning that the signal will fail and what to set", () => {
    const { pod: out, result } = inject(
      pod({ ...SIGNAL, "agent-run-as-user": "100" }, { pod: { runAsUser: 10001 } }),
    );
    assert.equal(agentIds(out).runAsUser, 100);
    const [w] = signalWarnings(result.warnings);
    assert.ok(w?.includes("the agent runs as uid 100"), w);
    assert.ok(w?.includes(`container "app" runs as uid 10001`), w);
    assert.ok(w?.includes(`set ${P}agent-run-as-user to "10001" or remove it`), w);
  });

  test("agent-run-as-user with an unknown app uid: the user knows the image, nothing to warn", () => {
    const { pod: out, result } = inject(pod({ ...SIGNAL, "agent-run-as-user": "65532" }));
    assert.equal(agentIds(out).runAsUser, 65532);
    assert.deepEqual(result.warnings, []);
  });

  test("agent-run-as-group alone: the app's uid, the pod's group", () => {
    const { pod: out } = inject(
      pod(
        { ...SIGNAL, "agent-run-as-group": "4000" },
        { pod: { runAsUser: 10001, runAsGroup: 3000 } },
      ),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 10001, runAsGroup: 4000, runAsNonRoot: true });
  });

  test("agent-run-as-same-user keeps the reference's reading (the first container's own runAsUser)", () => {
    const { pod: out, result } = inject(
      pod(
        { ...SIGNAL, "agent-run-as-same-user": "true" },
        { app: { runAsUser: 1234, runAsGroup: 99 } },
      ),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 1234, runAsGroup: 1000, runAsNonRoot: true });
    assert.deepEqual(result.warnings, []);
  });

  test("agent-set-security-context false: no ids set, and a warning says why the signal may fail", () => {
    const { pod: out, result } = inject(
      pod({ ...SIGNAL, "agent-set-security-context": "false" }, { pod: { runAsUser: 10001 } }),
    );
    assert.equal(container(out, "vault-agent").securityContext, undefined);
    const [w] = signalWarnings(result.warnings);
    assert.ok(w?.includes("runs as its image's user"), w);
    assert.ok(w?.includes(`uid (10001)`), w);
  });
});

describe("when admission cannot give the agent the app's uid", () => {
  test("the image's default user (no runAsUser anywhere): the defaults stay and a warning says exactly what to set", () => {
    const { pod: out, result } = inject(pod(SIGNAL, { pod: { runAsNonRoot: true } }));
    assert.deepEqual(agentIds(out), { runAsUser: 100, runAsGroup: 1000, runAsNonRoot: true });
    const [w, ...rest] = signalWarnings(result.warnings);
    assert.deepEqual(rest, []);
    assert.ok(w?.includes(`container "app" runs as its image's user`), w);
    assert.ok(w?.includes("the agent keeps uid 100"), w);
    assert.ok(w?.includes(`set securityContext.runAsUser on container "app" or on the pod`), w);
    assert.ok(w?.includes(`or set ${P}agent-run-as-user to it`), w);
  });

  test("a root app is refused: the agent is never made root on its own account", () => {
    for (const contexts of [
      { pod: { runAsUser: 0 } },
      { pod: { runAsUser: 10001 }, app: { runAsUser: 0 } },
    ]) {
      const { message } = reject(pod(SIGNAL, contexts));
      assert.ok(
        message.includes(
          `${P}agent-inject-signal-config.json: container "app" runs as root (uid 0)`,
        ),
        message,
      );
      assert.ok(message.includes("securityContext.runAsUser"), message);
      assert.ok(message.includes(`${P}agent-run-as-user: "0"`), message);
    }
  });

  test("with an init container only nothing signals the app: the defaults stay, nothing is refused", () => {
    const { pod: out, result } = inject(
      pod({ ...SIGNAL, "agent-pre-populate-only": "true" }, { pod: { runAsUser: 0 } }),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 100, runAsGroup: 1000, runAsNonRoot: true });
    assert.deepEqual(signalWarnings(result.warnings), []);
  });

  test("a root app with agent-run-as-user 0: admitted as asked, with the root warning", () => {
    const { pod: out, result } = inject(
      pod({ ...SIGNAL, "agent-run-as-user": "0" }, { pod: { runAsUser: 0 } }),
    );
    assert.deepEqual(agentIds(out), { runAsUser: 0, runAsGroup: 1000, runAsNonRoot: false });
    assert.ok(result.warnings.some((w) => w.includes("the agent containers run as root")));
    assert.deepEqual(signalWarnings(result.warnings), []);
  });
});
