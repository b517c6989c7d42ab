import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: "test/eslint.config.js" });

/** Lints `text` as if it were the file at `path` (relative to the repository root). */
async function boundaryErrors(path: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: `${ROOT}${path}` });
  return result!.messages.filter((m) => m.ruleId === "vaultlet/boundaries").map((m) => m.message);
}

describe("lint: import boundaries", () => {
  // each line is an import that crossed a line before the layout was fixed
  const crossing: Array<[string, string, RegExp]> = [
    [
      "shared/vault/json.ts",
      'import { JsonNumber } from "../../agent/template/types.ts";\nexport { JsonNumber };\n',
      /^shared\/ may not import agent\/ \(\.\.\/\.\.\/agent\/template\/types\.ts\)/,
    ],
    [
      "webhook/annotations/table.ts",
      'import { parseSignal } from "../../agent/output/signal.ts";\nexport { parseSignal };\n',
      /^webhook\/annotations\/ may not import agent\//,
    ],
    [
      "webhook/annotations/table/vaultlet.ts",
      'import { parseSignal } from "../../../agent/output/signal.ts";\nexport { parseSignal };\n',
      /^webhook\/annotations\/ may not import agent\//,
    ],
    [
      "webhook/annotations/table/agent.ts",
      'import { OPS_PORT } from "../../mutate/names.ts";\nexport { OPS_PORT };\n',
      /^webhook\/annotations\/ may not import webhook\/mutate\//,
    ],
    [
      "webhook/annotations/parse.ts",
      'import type { Pod } from "../mutate/pod.ts";\nexport type { Pod };\n',
      /^webhook\/annotations\/ may not import webhook\/mutate\//,
    ],
    [
      "shared/cli/run.ts",
      'export const load = () => import("../../webhook/cli.ts");\n',
      /^shared\/ may not import webhook\//,
    ],
    [
      "agent/runner/x.ts",
      'export { injectPod } from "../../webhook/mutate/inject.ts";\n',
      /^agent\/ may not import webhook\//,
    ],
    [
      "deploy/chart/x.ts",
      'export * from "../../agent/cli.ts";\n',
      /^deploy\/ may not import agent\//,
    ],
  ];
  for (const [path, text, message] of crossing) {
    test(`${path}: ${text.split("\n")[0]} is refused`, async () => {
      const errors = await boundaryErrors(path, text);
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0]!, message);
    });
  }

  test("imports inside a program, into shared/, and both programs from deploy/cli/ pass", async () => {
    const allowed: Array<[string, string]> = [
      ["webhook/mutate/x.ts", 'export * from "../annotations/spec.ts";\n'],
      ["agent/output/x.ts", 'export * from "../../shared/signal.ts";\n'],
      ["webhook/annotations/x.ts", 'export * from "../pod.ts";\n'],
      ["shared/vault/x.ts", 'export * from "../agent-config/index.ts";\n'],
      [
        "deploy/cli/x.ts",
        'export const a = () => import("../../agent/cli.ts");\nexport const w = () => import("../../webhook/cli.ts");\n',
      ],
      ["deploy/images/entry/x.ts", 'export * from "../../cli/agent-commands.ts";\n'],
    ];
    for (const [path, text] of allowed)
      assert.deepEqual(await boundaryErrors(path, text), [], path);
  });
});
