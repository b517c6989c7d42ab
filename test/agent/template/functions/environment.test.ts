import { test } from "node:test";
import assert from "node:assert/strict";
import { render, renderError } from "../go/render-helpers.ts";

test("env, mustEnv and envOrDefault read the render environment", () => {
  assert.equal(
    render(
      '{{ env "APP_ENV" }}|{{ env "NOPE" }}|{{ envOrDefault "NOPE" "d" }}|{{ envOrDefault "EMPTY" "d" }}',
    ),
    "prod||d|",
  );
  assert.equal(render('{{ mustEnv "APP_ENV" }}'), "prod");
  assert.match(
    renderError('{{ mustEnv "EMPTY" }}').message,
    /required environment variable EMPTY is empty/,
  );
});

test("file reads through the environment and names the failing path", () => {
  assert.equal(render('{{ file "/etc/app/motd" }}{{ file "" }}'), "hello\n");
  assert.match(
    renderError('{{ file "/nope" }}').message,
    /error calling file: file "\/nope": ENOENT/,
  );
});
