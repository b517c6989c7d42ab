/**
 * vault.hashicorp.com/agent-allow-functions: the pod's way to write the agent
 * config's vaultlet { allow_functions }. Absent, nothing is allowed; set, the
 * admission answer warns; a name that cannot be allowed is refused with the
 * annotation's name; a Vault Agent image leaves it out, with a warning.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAgentConfigJson } from "../../../shared/agent-config/parse.ts";
import { AnnotationError, parseInjectionSpec } from "../../../webhook/annotations/parse.ts";
import { buildAgentConfig, type AgentRole } from "../../../webhook/mutate/agent-config.ts";
import { annotated, SETTINGS } from "../mutate/helpers.ts";

const NAME = "vault.hashicorp.com/agent-allow-functions";
const SECRET = { "agent-inject-secret-db": "database/creds/app" };

function agentConfig(annotations: Record<string, string>, role: AgentRole) {
  const { spec, warnings } = parseInjectionSpec(annotated("default-sa", annotations), SETTINGS);
  const json = buildAgentConfig(spec, role);
  return { config: parseAgentConfigJson(JSON.stringify(json), `${role}.json`).config, warnings };
}

test("absent: no function is allowed and nothing is said", () => {
  const { config, warnings } = agentConfig(SECRET, "sidecar");
  assert.equal(config.vaultlet?.allow_functions, undefined);
  assert.ok(!warnings.some((w) => w.includes("agent-allow-functions")), warnings.join("\n"));
});

test("each named function is allowed in every agent's config, with a warning naming them", () => {
  for (const [value, expected] of [
    ["writeToFile", ["writeToFile"]],
    ["plugin", ["plugin"]],
    [" plugin , writeToFile,plugin", ["plugin", "writeToFile"]],
  ] as const) {
    for (const role of ["init", "sidecar", "native"] as AgentRole[]) {
      const { config, warnings } = agentConfig({ ...SECRET, "agent-allow-functions": value }, role);
      assert.deepEqual(config.vaultlet?.allow_functions, expected, `${value} / ${role}`);
      const warning = warnings.find((w) =>
        w.startsWith(`${NAME} allows ${expected.join(" and ")}:`),
      );
      assert.ok(warning, warnings.join("\n"));
      assert.match(warning, /threat-model\.md/);
    }
  }
});

test("a name that cannot be allowed, or none, is refused naming the annotation", () => {
  for (const [value, reason] of [
    [
      "writeToFile,exec",
      /names "exec", which cannot be allowed; use "writeToFile", "plugin" or both/,
    ],
    [" , ", /is empty; name the functions to allow/],
  ] as const) {
    assert.throws(
      () =>
        parseInjectionSpec(
          annotated("default-sa", { ...SECRET, "agent-allow-functions": value }),
          SETTINGS,
        ),
      (e: unknown) =>
        e instanceof AnnotationError && e.message.includes(NAME) && reason.test(e.message),
    );
  }
});

test("a Vault Agent image gets no vaultlet key, and the pod is told why", () => {
  const pod = annotated("default-sa", {
    ...SECRET,
    "agent-image": "hashicorp/vault:1.18",
    "agent-allow-functions": "plugin",
  });
  const { spec, warnings } = parseInjectionSpec(pod, SETTINGS);
  assert.equal(buildAgentConfig(spec, "sidecar").vaultlet, undefined);
  assert.ok(
    warnings.some((w) =>
      w.startsWith(
        `${NAME} is left out: the agent image "hashicorp/vault:1.18" runs Vault Agent, which runs writeToFile and plugin in every template`,
      ),
    ),
    warnings.join("\n"),
  );
});
