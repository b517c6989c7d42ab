import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  BAO_AGENT_FUNCTIONS,
  DIFFERENCES,
  NOT_YET,
  REFUSED,
} from "../../../../agent/template/functions/catalog.ts";
import { DOCS_PATH, formattedFunctionDocs } from "../../../../agent/template/functions/docs.ts";
import { FUNCTION_NAMES } from "../../../../agent/template/functions/index.ts";
import { SPRIG_FUNCTIONS } from "../../../../agent/template/functions/sprig/index.ts";
import { BUILTIN_NAMES } from "../../../../agent/template/go/builtins.ts";
import { renderError } from "../go/render-helpers.ts";

const ENGINE = new Set([...FUNCTION_NAMES, ...BUILTIN_NAMES]);
const FIXTURES = resolve(import.meta.dirname, "../../../fixtures");

test("every name bao agent defines is implemented, refused or listed as not yet, exactly one of them", () => {
  for (const name of BAO_AGENT_FUNCTIONS) {
    const states = [ENGINE.has(name), Object.hasOwn(REFUSED, name), Object.hasOwn(NOT_YET, name)];
    assert.equal(states.filter(Boolean).length, 1, `${name}: ${states.join(",")}`);
  }
  assert.equal(new Set(BAO_AGENT_FUNCTIONS).size, BAO_AGENT_FUNCTIONS.length, "duplicate names");
});

test("the engine's function table has no name bao agent lacks, and the notes name real functions", () => {
  const known = new Set(BAO_AGENT_FUNCTIONS);
  assert.deepEqual(
    FUNCTION_NAMES.filter((n) => !known.has(n)),
    [],
  );
  for (const name of [...Object.keys(REFUSED), ...Object.keys(NOT_YET)])
    assert.ok(known.has(name), `${name} is not a bao agent function`);
  for (const name of Object.keys(DIFFERENCES))
    assert.ok(ENGINE.has(name), `DIFFERENCES names ${name}, which vaultlet does not implement`);
});

test("only writeToFile and plugin are off by default", () => {
  assert.deepEqual(Object.keys(REFUSED).sort(), ["plugin", "writeToFile"]);
});

test("the committed function reference is the generated one (run node agent/template/functions/docs.ts)", async () => {
  const committed = readFileSync(resolve(import.meta.dirname, "../../../..", DOCS_PATH), "utf8");
  assert.equal(committed, await formattedFunctionDocs());
});

test("a refused function fails at compile time, naming the function, the template and why", () => {
  for (const call of ['writeToFile "/etc/x" "" "" "0644" "hi"', 'plugin "/bin/sh" "-c" "id"']) {
    const e = renderError(`line one\n{{ ${call} }}`, { name: "app.conf" });
    assert.equal(e.code, "TEMPLATE_REFUSED");
    const fn = call.split(" ")[0]!;
    assert.match(e.message, new RegExp(`^template: app\\.conf:2:3: function "${fn}" is refused: `));
    assert.match(
      e.message,
      new RegExp(
        `it is off by default\\. To allow it, set vaultlet \\{ allow_functions = \\["${fn}"\\] \\}`,
      ),
    );
  }
});

test("nothing is left not implemented, and an unknown function fails at compile time with Go's wording", () => {
  assert.deepEqual(Object.keys(NOT_YET), []);
  const unknown = renderError("{{ no_such_function }}");
  assert.equal(unknown.code, "TEMPLATE_PARSE");
  assert.match(unknown.message, /function "no_such_function" not defined$/);
});

test("every function this library adds is used at least 3 times in the differential fixtures", () => {
  let text = "";
  const dirs = ["templates", "templates-functions-failing"];
  for (const dir of [...dirs, "templates-sockaddr/render", "templates-sockaddr/failing"]) {
    for (const f of readdirSync(resolve(FIXTURES, dir)).filter((n) => n.endsWith(".tpl")))
      text += readFileSync(resolve(FIXTURES, dir, f), "utf8") + "\n";
  }
  const names = [
    ...Object.keys(SPRIG_FUNCTIONS),
    ...["sprig_env", "sprig_expandenv", "loop", "hmacSHA256Hex"],
    ...["spew_dump", "spew_printf", "spew_sdump", "spew_sprintf"],
    "sockaddr",
  ];
  const few = names
    .map((n) => [n, (text.match(new RegExp(`(?<![\\w])${n}(?![\\w])`, "g")) ?? []).length])
    .filter(([, uses]) => (uses as number) < 3);
  assert.deepEqual(few, []);
});
