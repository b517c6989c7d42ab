import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { agentKindOf } from "../../../webhook/annotations/agent-kind.ts";
import { AnnotationError, parseInjectionSpec } from "../../../webhook/annotations/parse.ts";
import { buildAgentConfig } from "../../../webhook/mutate/agent-config.ts";
import { agentContainer } from "../../../webhook/mutate/containers.ts";
import { annotated, SETTINGS } from "../mutate/helpers.ts";

const VAULT = { "agent-image": "hashicorp/vault:1.18" };

describe("the agent image's kind", () => {
  test("Vault's and OpenBao's images run Vault Agent; anything else is vaultlet's", () => {
    for (const image of [
      "hashicorp/vault:1.18",
      "vault",
      "docker.io/hashicorp/vault-enterprise:1.18-ent",
      "quay.io/openbao/openbao:2.4.0",
      "openbao/openbao@sha256:0123",
      "registry:5000/mirror/openbao",
    ])
      assert.equal(agentKindOf(image), "vault", image);
    for (const image of ["vaultlet/agent:0.1.0", "ghcr.io/acme/vaultlet-agent", "acme/agent:1"])
      assert.equal(agentKindOf(image), "vaultlet", image);
  });

  test("with a Vault Agent image a signal is left out with a warning, and no vaultlet key is written", () => {
    const pod = annotated("default-sa", {
      ...VAULT,
      "agent-inject-secret-db": "database/creds/app",
      "agent-inject-signal-db": "SIGHUP",
      "agent-inject-signal-process-db": "app",
      "agent-revoke-on-shutdown": "true",
    });
    const { spec, warnings } = parseInjectionSpec(pod, SETTINGS);
    assert.ok(
      warnings.some((w) =>
        w.startsWith(
          'vault.hashicorp.com/agent-inject-signal-db is left out: the agent image "hashicorp/vault:1.18" runs Vault Agent, which cannot signal a process',
        ),
      ),
      warnings.join("\n"),
    );
    assert.ok(warnings.some((w) => w.includes("agent-revoke-on-shutdown is left out")));
    const config = buildAgentConfig(spec, "sidecar");
    assert.equal(config.vaultlet, undefined);
    assert.equal(config.template?.[0]?.signal, undefined);
    const container = agentContainer(spec, pod, "sidecar");
    assert.deepEqual(container.command, ["/bin/sh", "-ec"]);
    assert.match(
      container.args![0]!,
      /base64 -d > \/home\/vault\/config\.json && exec .* agent -config=\/home\/vault\/config\.json$/,
    );
  });

  test("with a Vault Agent image a native sidecar gets no startup probe, and says so", () => {
    const pod = annotated("default-sa", {
      ...VAULT,
      "agent-inject-secret-db": "database/creds/app",
      "agent-native-sidecar": "true",
    });
    const { spec, warnings } = parseInjectionSpec(pod, SETTINGS);
    assert.ok(
      warnings.some((w) => w.includes("gets no startup probe")),
      warnings.join("\n"),
    );
    const container = agentContainer(spec, pod, "native");
    assert.equal(container.restartPolicy, "Always");
    assert.equal(container.startupProbe, undefined);
    assert.equal(container.ports, undefined);
  });

  test("with a Vault Agent image a handlebars template is refused at admission, with the reason", () => {
    const pod = annotated("default-sa", {
      ...VAULT,
      "agent-inject-template-hb": "{{user}}",
      "agent-template-engine-hb": "handlebars",
    });
    assert.throws(
      () => parseInjectionSpec(pod, SETTINGS),
      (e: unknown) =>
        e instanceof AnnotationError &&
        /agent-template-engine-hb: the agent image "hashicorp\/vault:1\.18" runs Vault Agent, which has no handlebars engine/.test(
          e.message,
        ),
    );
  });

  test("vaultlet's own image keeps its extensions", () => {
    const pod = annotated("default-sa", {
      "agent-inject-secret-db": "database/creds/app",
      "agent-inject-signal-db": "SIGHUP",
      "agent-inject-signal-process-db": "app",
    });
    const { spec, warnings } = parseInjectionSpec(pod, SETTINGS);
    assert.ok(!warnings.some((w) => w.includes("left out")));
    assert.deepEqual(buildAgentConfig(spec, "sidecar").template?.[0]?.signal, {
      signal: "SIGHUP",
      process_name: "app",
    });
  });
});
