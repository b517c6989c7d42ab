import { test } from "node:test";
import assert from "node:assert/strict";
import { createHandlebarsEngine } from "../../../../../agent/template/handlebars/engine.ts";
import { ENV, fullSource } from "../../handlebars/recorded.ts";

const engine = createHandlebarsEngine();
const output = (text: string): string =>
  engine.compile(text, { name: "t.hbs" }).render(fullSource(), ENV).output;

test("Sprig functions, loop and hmacSHA256Hex are Handlebars helpers too", () => {
  assert.equal(output('{{sprig_upper "abc"}}'), "ABC");
  assert.equal(output('{{sprig_default "d" ""}}|{{sprig_ternary "y" "n" true}}'), "d|y");
  assert.equal(output('{{#each (sprig_list "a" "b")}}{{this}};{{/each}}'), "a;b;");
  assert.equal(output("{{#each (loop 2 4)}}{{this}},{{/each}}"), "2,3,");
  assert.equal(output('{{sprig_b64enc "hi"}} {{sprig_add 1 "2"}}'), "aGk= 3");
  assert.equal(
    output('{{hmacSHA256Hex "msg" "key"}}'),
    "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628",
  );
});

test("the functions added for issue 15 are Handlebars helpers with the same results", () => {
  assert.equal(
    output('{{sprig_camelcase "http_server"}}|{{sprig_snakecase "HTTPServer"}}'),
    "HttpServer|http_server",
  );
  assert.equal(output('{{sprig_semverCompare "^1.2" "1.9.0"}}|{{sprig_addf 0.1 0.2}}'), "true|0.3");
  assert.equal(output('{{sprig_urlJoin (sprig_urlParse "https://h/p?q=1")}}'), "https://h/p?q=1");
  assert.equal(output('{{#with (sprig_mustFromJson "{\\"a\\":1}")}}{{a}}{{/with}}'), "1");
  assert.equal(output('{{sprig_derivePassword 1 "pin" "p" "u" "s"}}').length, 4);
  assert.equal(
    output('{{sprig_unixEpoch (sprig_toDate "2006-01-02" "2023-11-14")}}'),
    "1699920000",
  );
  assert.equal(output("{{spew_sdump 1}}"), "(int) 1\n");
});
