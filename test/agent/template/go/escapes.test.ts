/**
 * Go string escapes end to end: a template's `\x` and octal escapes are
 * bytes (Go's strconv.Unquote), so `{{ "\xc3\xa9" }}` renders é and the
 * file holds the two bytes c3 a9, as `bao agent` writes it. Before one
 * unquoter served the template parser, it rendered "Ã©" (c3 83 c2 a9).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../../../agent/output/index.ts";
import { render } from "./render-helpers.ts";

const root = mkdtempSync(join(tmpdir(), "vaultlet-escapes-"));
after(() => rmSync(root, { recursive: true, force: true }));

test('{{ "\\xc3\\xa9" }} and its octal form render é', () => {
  assert.equal(render('{{ "\\xc3\\xa9" }}'), "é");
  assert.equal(render('{{ "\\303\\251" }}'), "é");
  assert.equal(render('{{ "caf\\xC3\\xA9" | printf "%q" }}'), '"café"');
});

test("the rendered file holds the escapes' bytes, invalid UTF-8 included", async () => {
  const cases: Array<[string, string]> = [
    ['{{ "\\xc3\\xa9" }}', "c3a9"],
    ['{{ "caf\\303\\251 \\xff" }}', "636166c3a920ff"],
    ['{{ "a\\xc3" }}', "61c3"],
  ];
  for (const [template, hex] of cases) {
    await writeFileAtomic(root, "out.txt", render(template));
    assert.equal(readFileSync(join(root, "out.txt")).toString("hex"), hex, template);
  }
});
