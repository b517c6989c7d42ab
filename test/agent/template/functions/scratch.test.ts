import { test } from "node:test";
import assert from "node:assert/strict";
import { render, renderError } from "../go/render-helpers.ts";

// Expected text is what `bao agent` rendered for the same template.
test("scratch methods, per render", () => {
  assert.equal(
    render(
      '{{ scratch.Set "a" "1" }}{{ scratch.SetX "a" "2" }}{{ scratch.Get "a" }} {{ scratch.Key "a" }} {{ scratch.Key "b" }} {{ scratch.Get "b" }}\n' +
        '{{ scratch.MapSet "m" "z" 1 }}{{ scratch.MapSet "m" "a" "x" }}{{ scratch.MapSetX "m" "a" "y" }}{{ scratch.MapValues "m" }} {{ scratch.MapValues "nope" }} {{ scratch.Get "m" }}\n' +
        '{{ printf "%T" scratch }}',
    ),
    "1 true false <no value>\n[x 1] [] map[a:x z:1]\n*template.Scratch",
  );
  assert.equal(render('{{ scratch.Get "a" }}'), "<no value>");
});

test("scratch errors", () => {
  assert.match(
    renderError('{{ scratch.Set "a" 1 }}{{ scratch.MapSet "a" "k" 2 }}').message,
    /error calling MapSet: "a" is not a map/,
  );
  assert.match(
    renderError("{{ scratch.Get }}").message,
    /wrong number of args for Get: want 1 got 0/,
  );
  assert.match(
    renderError("{{ scratch.Nope }}").message,
    /can't evaluate field Nope in type \*template\.Scratch/,
  );
});
