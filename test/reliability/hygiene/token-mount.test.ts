import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import type { Container, Pod } from "../../../webhook/pod.ts";
import { TOKEN_MOUNT_PATH, VOLUME_TOKEN } from "../../../webhook/mutate/names.ts";
import {
  AGENT_CONTAINERS,
  allContainers,
  assertTokenOnlyInAgents,
  injectAndApply,
  PREFIX,
  SETTINGS,
} from "../hostile/pods.ts";

/**
 * The Vault-audience projected token is mounted only into agent containers:
 * over random pods (app and init containers with their own mounts) and
 * random injection settings, no other container mounts the token volume or
 * anything at the token's path, and a pod that asks for the token volume by
 * name in its own container is refused.
 */

const containerName = fc
  .stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/)
  .filter((n) => !AGENT_CONTAINERS.has(n));
const mount = fc.record({
  name: fc.constantFrom("sa", "data", "cache"),
  mountPath: fc.constantFrom(
    "/var/run/secrets/kubernetes.io/serviceaccount",
    "/data",
    "/cache",
    "/var/run/secrets/other",
  ),
});

const container = fc
  .record({ name: containerName, mounts: fc.array(mount, { maxLength: 3 }) })
  .map(({ name, mounts }): Container => ({
    name,
    image: "registry.example/app:1",
    volumeMounts: mounts.filter(
      (m, i) => mounts.findIndex((o) => o.mountPath === m.mountPath) === i,
    ),
  }));

const annotationSet = fc.record(
  {
    "agent-pre-populate-only": fc.constantFrom("true", "false"),
    "agent-pre-populate": fc.constantFrom("true", "false"),
    "agent-inject-token": fc.constantFrom("true", "false"),
    "agent-service-account-token-volume-name": fc.constantFrom("sa", "data"),
    "agent-inject-containers": fc.constantFrom("app", "", "app,other"),
    "agent-copy-volume-mounts": fc.constantFrom("app", "other"),
    "agent-init-first": fc.constantFrom("true", "false"),
    "secret-volume-path": fc.constantFrom("/vault/secrets", "/etc/secrets"),
    "agent-json-patch": fc.constantFrom(
      '[{"op":"add","path":"/volumeMounts/-","value":{"name":"data","mountPath":"/x"}}]',
      "[]",
    ),
  },
  { requiredKeys: [] },
);

function pod(apps: Container[], inits: Container[], extra: Record<string, string>): Pod {
  const names = new Set<string>();
  const unique = (cs: Container[]) => cs.filter((c) => !names.has(c.name) && names.add(c.name));
  const containers = unique(apps);
  return {
    metadata: {
      name: "p",
      annotations: {
        [`${PREFIX}agent-inject`]: "true",
        [`${PREFIX}role`]: "r",
        [`${PREFIX}agent-inject-secret-db`]: "db/creds/r",
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [PREFIX + k, v])),
      },
    },
    spec: {
      containers: containers.length > 0 ? containers : [{ name: "app", image: "a" }],
      initContainers: unique(inits),
      volumes: [
        { name: "sa", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
        { name: "data", emptyDir: {} },
        { name: "cache", emptyDir: {} },
      ],
    },
  };
}

test("random pods and injection settings: only agent containers mount the Vault-audience token", () => {
  let patched = 0;
  fc.assert(
    fc.property(
      fc.array(container, { minLength: 1, maxLength: 4 }),
      fc.array(container, { maxLength: 2 }),
      annotationSet,
      fc.boolean(),
      (apps, inits, extra, native) => {
        const settings = native ? { ...SETTINGS, nativeSidecar: true } : SETTINGS;
        const r = injectAndApply(pod(apps, inits, extra), settings);
        if (r.kind !== "patch" || !r.pod) return;
        patched += 1;
        assertTokenOnlyInAgents(r.pod);
        for (const c of allContainers(r.pod).filter((c) => !AGENT_CONTAINERS.has(c.name)))
          assert.ok(
            !(c.volumeMounts ?? []).some((m) => m.mountPath.startsWith(TOKEN_MOUNT_PATH)),
            `${c.name} mounts something at the Vault token's path`,
          );
      },
    ),
    { numRuns: 500 },
  );
  assert.ok(patched > 100, `only ${patched} pods were injected`);
});

test("a pod whose own container mounts the token volume by name is refused, naming the volume", () => {
  for (const where of ["containers", "initContainers"] as const) {
    const p = pod([{ name: "app", image: "a" }], [{ name: "setup", image: "s" }], {});
    const target = p.spec![where]![0]!;
    target.volumeMounts = [{ name: VOLUME_TOKEN, mountPath: "/steal" }];
    const r = injectAndApply(p);
    assert.equal(r.kind, "reject");
    assert.ok(
      r.kind === "reject" && r.message.includes(VOLUME_TOKEN),
      r.kind === "reject" ? r.message : "",
    );
  }
});
