import assert from "node:assert/strict";
import fc from "../../support/properties.ts";
import {
  AgentConfigError,
  parseAgentConfig,
  parseAgentConfigJson,
} from "../../../shared/agent-config/index.ts";

/** Property bodies run in a worker by agent-config.test.ts. */

/** Keys of the Vault Agent schema, so random documents reach deep into the parser. */
const KEYS = [
  "vault",
  "address",
  "auto_auth",
  "method",
  "type",
  "config",
  "role",
  "path",
  "token_path",
  "sink",
  "template",
  "destination",
  "contents",
  "source",
  "perms",
  "command",
  "exec",
  "env_template",
  "template_config",
  "exit_after_auth",
  "pid_file",
  "cache",
  "listener",
  "vaultlet",
  "listen",
  "min_backoff",
  "max_backoff",
  "wait",
  "left_delimiter",
  "error_on_missing_key",
  "backup",
  "create_dest_dirs",
  "restart_on_secret_changes",
  "restart_stop_signal",
  "static_secret_render_interval",
  "exit_on_retry_failure",
  "mount_path",
  "namespace",
  "retry",
  "num_retries",
  "__proto__",
  "constructor",
  "",
];

const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 }));
const leaf = fc.oneof(
  fc.constantFrom(
    "kubernetes",
    "jwt",
    "file",
    "/tmp/x",
    "../../x",
    "5s",
    "-1s",
    "1e309",
    "0640",
    "99999999",
    "SIGKILL",
    "",
  ),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const { doc } = fc.letrec((tie) => ({
  doc: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("doc"), { maxLength: 3 }),
    fc.dictionary(key, tie("doc"), { maxKeys: 5 }),
  ),
}));

function expectConfigOrError(run: () => unknown): void {
  try {
    const loaded = run() as { config: unknown };
    assert.equal(typeof loaded.config, "object");
  } catch (err) {
    assert.ok(
      err instanceof AgentConfigError,
      `not an AgentConfigError: ${String((err as Error)?.stack ?? err)}`,
    );
    assert.ok((err as Error).message.length > 0);
  }
}

/** Arbitrary JSON text and schema-shaped documents: a config or an AgentConfigError. */
export function arbitraryJsonConfigs(): void {
  fc.assert(
    fc.property(
      fc.oneof(
        doc.map((d) => JSON.stringify(d)),
        fc.string({ maxLength: 40 }),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      (text) => expectConfigOrError(() => parseAgentConfigJson(text, "hostile.json")),
    ),
    { numRuns: 800 },
  );
}

/** Deep nesting: the parser refuses or parses, never overflows the stack. */
export function deeplyNestedJson(): void {
  const places = [
    (deep: string) => deep,
    (deep: string) => `{"vault": ${deep}}`,
    (deep: string) => `{"auto_auth": {"method": {"type": "kubernetes", "config": ${deep}}}}`,
    (deep: string) => `{"template": [{"destination": "/x", "contents": ${deep}}]}`,
    (deep: string) => `{"telemetry": ${deep}}`,
    (deep: string) => `{"exec": {"command": ${deep}}}`,
    (deep: string) => `{"vaultlet": ${deep}}`,
  ];
  for (const depth of [100, 1000, 20_000]) {
    for (const deep of [
      '{"a":'.repeat(depth) + "1" + "}".repeat(depth),
      "[".repeat(depth) + "]".repeat(depth),
      "[".repeat(depth) + "x" + "]".repeat(depth),
      '{"a":'.repeat(depth),
    ]) {
      for (const place of places)
        expectConfigOrError(() => parseAgentConfigJson(place(deep), "deep.json"));
    }
  }
}

const hclPiece = fc.oneof(
  fc.constantFrom(
    "vault",
    "auto_auth",
    "method",
    "sink",
    "template",
    "config",
    "{",
    "}",
    "[",
    "]",
    "=",
    '"',
    "\n",
    '"kubernetes"',
    "<<EOF\n",
    "\nEOF\n",
    "${",
    "}",
    "#",
    "//",
    "/*",
    "*/",
    "1",
    "true",
    "null",
    ",",
    " ",
    "destination",
    "contents",
    '"/tmp/x"',
    "type",
    "role",
    "path",
  ),
  fc.string({ maxLength: 6 }),
);

/** Arbitrary HCL-like text: a config or an AgentConfigError. */
export async function arbitraryHclConfigs(): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(hclPiece, { maxLength: 40 }).map((p) => p.join("")),
      async (text) => {
        try {
          const loaded = await parseAgentConfig(text, { source: "hostile.hcl", format: "hcl" });
          assert.equal(typeof loaded.config, "object");
        } catch (err) {
          assert.ok(
            err instanceof AgentConfigError,
            `not an AgentConfigError: ${String((err as Error)?.stack ?? err)}`,
          );
        }
      },
    ),
    { numRuns: 150 },
  );
}

/**
 * Deep HCL nesting of every bracket kind, then a normal parse: the parser
 * refuses without overflowing the stack, and still answers afterwards.
 */
export async function deeplyNestedHcl(): Promise<void> {
  for (const depth of [50, 100, 101, 1000, 50_000]) {
    for (const text of [
      "vault {\n".repeat(depth) + "}\n".repeat(depth),
      "vault = " + "[".repeat(depth) + "]".repeat(depth),
      "x = " + "{a = ".repeat(depth) + "1" + "}".repeat(depth),
      "x = " + "(".repeat(depth) + "1" + ")".repeat(depth),
      'x = "' + "${".repeat(depth) + "1" + "}".repeat(depth) + '"',
    ]) {
      try {
        await parseAgentConfig(text, { source: "deep.hcl", format: "hcl" });
      } catch (err) {
        assert.ok(err instanceof AgentConfigError, `not an AgentConfigError: ${String(err)}`);
      }
    }
  }
  const ok = await parseAgentConfig('vault {\n  address = "https://127.0.0.1:8200"\n}\n', {
    source: "after.hcl",
    format: "hcl",
  });
  assert.equal(ok.config.vault?.address, "https://127.0.0.1:8200");
}
