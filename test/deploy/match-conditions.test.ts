/**
 * The chart's matchConditions expression, evaluated by cel-go (the CEL the
 * API server runs, built by test/scripts/setup.sh as cel-eval) against pods:
 * it decides which pods the webhook ever sees, so with failurePolicy Fail it
 * must never error and must send every pod that asks for injection.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, renderChart } from "../../deploy/chart/render.ts";
import { only, parseObjects } from "./chart-helpers.ts";

const run = promisify(execFile);
const ANNOTATION = "vault.hashicorp.com/agent-inject";

function celEval(): string {
  const bin = process.env["CEL_EVAL_BIN"] || join(REPO_ROOT, ".tools/bin/cel-eval");
  assert.ok(existsSync(bin), `cel-eval not found at ${bin}: run test/scripts/setup.sh`);
  return bin;
}

async function evaluate(expression: string, objects: object[]): Promise<unknown[]> {
  const child = run(celEval(), [], { encoding: "utf8" });
  child.child.stdin!.end(JSON.stringify({ expression, objects }));
  const { stdout } = await child;
  return JSON.parse(stdout) as unknown[];
}

function pod(metadata: Record<string, unknown>): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { generateName: "app-", ...metadata },
    spec: { containers: [{ name: "app", image: "app:1" }] },
  };
}

async function chartExpression(): Promise<string> {
  const objects = parseObjects(await renderChart({ release: "vaultlet", namespace: "vaultlet" }));
  const [condition] = only(objects, "MutatingWebhookConfiguration").webhooks[0].matchConditions;
  return condition.expression as string;
}

test("matchConditions send a pod exactly when its agent-inject annotation is not a false word, and never error", async () => {
  const expression = await chartExpression();
  const cases: Array<[string, object, boolean]> = [
    ["no annotations", pod({}), false],
    ["other annotations only", pod({ annotations: { team: "shop" } }), false],
    ["labels, no annotations", pod({ labels: { app: "x" } }), false],
    ...["true", "True", "TRUE", "t", "T", "1"].map((v): [string, object, boolean] => [
      `"${v}"`,
      pod({ annotations: { [ANNOTATION]: v } }),
      true,
    ]),
    ...["false", "False", "FALSE", "f", "F", "0", ""].map((v): [string, object, boolean] => [
      `"${v}"`,
      pod({ annotations: { [ANNOTATION]: v } }),
      false,
    ]),
    // not a Go boolean: sent, so the webhook refuses it with an explanation
    ['"yes"', pod({ annotations: { [ANNOTATION]: "yes" } }), true],
    [
      "a similar annotation",
      pod({ annotations: { "vault.hashicorp.com/agent-inject-secret-db": "db/creds/app" } }),
      false,
    ],
  ];
  const results = await evaluate(
    expression,
    cases.map(([, o]) => o),
  );
  cases.forEach(([name, , wanted], i) => {
    assert.equal(results[i], wanted, `${name}: got ${JSON.stringify(results[i])}`);
  });
});

test("cel-eval reports an expression error instead of a result (so the check above is meaningful)", async () => {
  const [result] = await evaluate("object.metadata.annotations['x'] == 'y'", [pod({})]);
  assert.equal(typeof (result as { error?: string }).error, "string");
});
