import { test } from "node:test";
import assert from "node:assert/strict";
import { formatGoTime } from "../../../../agent/template/functions/time.ts";
import { render, renderError } from "../go/render-helpers.ts";

const d = new Date(Date.UTC(2024, 4, 1, 9, 5, 7, 42));

test("timestamp defaults to RFC 3339 in UTC", () => {
  assert.equal(render("{{ timestamp }}"), "2024-05-01T09:05:07Z");
  assert.equal(render('{{ timestamp "unix" }}'), "1714554307");
});

test("Go layouts", () => {
  const cases: Array<[string, string]> = [
    ["2006-01-02 15:04:05", "2024-05-01 09:05:07"],
    ["Jan _2 06 3:4:5 PM", "May  1 24 9:5:7 AM"],
    ["Monday, January 2, 2006", "Wednesday, May 1, 2024"],
    ["Mon Jan 2 15:04:05 MST 2006", "Wed May 1 09:05:07 UTC 2024"],
    ["2006-01-02T15:04:05.000Z07:00", "2024-05-01T09:05:07.042Z"],
    ["15:04:05.999999", "09:05:07.042"],
    ["15:04:05.000000", "09:05:07.042000"],
    ["-0700 -07:00 -07 pm", "+0000 +00:00 +00 am"],
    ["002 __2", "122 122"],
    ["Janet Month", "Janet Month"],
  ];
  for (const [layout, want] of cases) assert.equal(formatGoTime(d, layout), want, layout);
  assert.equal(render('{{ timestamp "2006" }}'), "2024");
});

test("too many arguments", () => {
  assert.match(
    renderError('{{ timestamp "a" "b" }}').message,
    /timestamp: wrong number of arguments, expected 0 or 1, but got 2/,
  );
});
