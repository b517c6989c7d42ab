import { test } from "node:test";
import assert from "node:assert/strict";
import { globSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { KINDS } from "../../../../agent/secrets/kinds/index.ts";
import { dependency } from "../../../../agent/template/types.ts";

const ROOT = resolve(import.meta.dirname, "../../../..");

test("every dependency kind is one module: request, template value and schedule", () => {
  assert.deepEqual(Object.keys(KINDS).sort(), [
    "pki.cert",
    "secret.list",
    "secret.read",
    "secret.write",
  ]);
  for (const [name, kind] of Object.entries(KINDS)) assert.equal(kind.kind, name);
  assert.equal(KINDS["pki.cert"].schedule, "certificate");
  assert.equal(KINDS["pki.cert"].reusesFileCertificate, true);
  const res = { request_id: "r", data: { keys: ["a", "b"], certificate: "C" } };
  assert.deepEqual(KINDS["secret.list"].value(dependency("secret.list", "kv"), res), ["a", "b"]);
  const cert = KINDS["pki.cert"].value(dependency("pki.cert", "pki/issue/r"), res);
  assert.equal((cert as { Cert: string }).Cert, "C\n");
  const read = KINDS["secret.read"].value(dependency("secret.read", "kv/a"), res);
  assert.equal((read as { RequestID: string }).RequestID, "r");
});

test("no code outside the kind modules switches on a dependency's kind", () => {
  const offenders: string[] = [];
  for (const file of globSync("agent/**/*.ts", { cwd: ROOT })) {
    const rel = relative(ROOT, join(ROOT, file));
    // the kinds themselves, the type that names them, and the template functions that make them
    if (rel.startsWith("agent/secrets/kinds/") || rel === "agent/template/types.ts") continue;
    if (rel === "agent/template/functions/secrets.ts") continue;
    const text = readFileSync(join(ROOT, file), "utf8");
    if (/\.kind\s*===?\s*"(secret\.|pki\.)|case "(secret\.(read|write|list)|pki\.cert)"/.test(text))
      offenders.push(rel);
  }
  assert.deepEqual(offenders, []);
});
