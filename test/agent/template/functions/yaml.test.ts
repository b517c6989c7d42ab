import { test } from "node:test";
import assert from "node:assert/strict";
import { toYAML } from "../../../../agent/template/functions/yaml.ts";
import { Float64, JsonNumber } from "../../../../agent/template/functions/values.ts";
import { render } from "../go/render-helpers.ts";

test("toYAML: sorted keys, unindented sequences, ambiguous strings quoted, no trailing newline", () => {
  assert.equal(
    toYAML({
      z: "x",
      port: new JsonNumber("5432"),
      f: new Float64(1.5),
      on: true,
      tags: ["a", "b"],
      nested: { k: "v" },
      t: "true",
      empty: "",
    }),
    'empty: ""\nf: 1.5\nnested:\n  k: v\non: true\nport: "5432"\nt: "true"\ntags:\n- a\n- b\nz: x',
  );
  assert.equal(
    render('{{ with secret "secret/data/app" }}{{ .Data.data | toYAML }}{{ end }}'),
    "password: s3cr3t!\nusername: app",
  );
});
