import { test } from "node:test";
import assert from "node:assert/strict";
import { parseJson } from "../../shared/json.ts";

/**
 * V8's JSON.parse can read an escaped key as the key of an earlier object of
 * the same shape when that key held a backslash (nodejs/node#63785). Each
 * case parses the earlier object first (kept alive, so its shape stays),
 * then the later one: the later keys must read as written.
 */
const CASES: Array<{ earlier: string; later: string; keys: string[] }> = [
  { earlier: `{"a":0,"\\\\":0}`, later: `{"a":0,"\\u0026":0}`, keys: ["a", "&"] },
  { earlier: `{"b":0,"\\\\":0}`, later: `{"b":0,"\\"":0}`, keys: ["b", '"'] },
  { earlier: `{"c":0,"\\\\":0}`, later: `{"c":0,"\\n":0}`, keys: ["c", "\n"] },
  { earlier: `{"d":0,"\\\\":0}`, later: `{"d":0,"\\/":0}`, keys: ["d", "/"] },
  { earlier: `{"e":0,"\\\\":0}`, later: `{"e":0,"\\u003c":0}`, keys: ["e", "<"] },
  { earlier: `{"f":0,"\\\\":0}`, later: `{"f":0,"\\u2028":0}`, keys: ["f", "\u2028"] },
  { earlier: `{"g":0,"\\\\\\\\":0}`, later: `{"g":0,"\\\\x":0}`, keys: ["g", "\\x"] },
  { earlier: `[{"h":[],"\\\\":0}]`, later: `[{"h":1,"\\u0041":2}]`, keys: ["h", "A"] },
];

test("an escaped key reads as written after an earlier key with a backslash", () => {
  const kept: unknown[] = [];
  for (const { earlier, later, keys } of CASES) {
    kept.push(parseJson(earlier));
    const value = parseJson(later);
    const obj = (Array.isArray(value) ? value[0] : value) as object;
    assert.deepEqual(Object.keys(obj), keys, `${later} after ${earlier}`);
  }
  assert.equal(kept.length, CASES.length);
});

test("what JSON.parse accepts reads the same, reviver and all", () => {
  const text = `{"n":1.50,"\\u0041":[2,{"\\"q":"v\\\\"}],"plain":"x\\ny","__pro\\u0074o__":{"k":1}}`;
  const seen: string[] = [];
  const value = parseJson(text, (key, v, context) => {
    if (typeof v === "number") seen.push(`${key}=${context?.source}`);
    return v;
  }) as Record<string, unknown>;
  assert.deepEqual(Object.keys(value), ["n", "A", "plain", "__proto__"]);
  assert.equal(Object.getPrototypeOf(value), Object.prototype, "__proto__ stays a key");
  assert.deepEqual(value.A, [2, { '"q': "v\\" }]);
  assert.equal(value.plain, "x\ny");
  assert.deepEqual(seen.sort(), ["0=2", "k=1", "n=1.50"]);
});

test("keys keep their order, duplicates keep the last value at the first place", () => {
  const value = parseJson(`{"z":1,"\\u0061":2,"m":3,"a":4}`) as object;
  assert.deepEqual(Object.entries(value), [
    ["z", 1],
    ["a", 4],
    ["m", 3],
  ]);
});

test("a key that looks like the placeholder stays itself", () => {
  const value = parseJson(`{"vaultlet-escaped-key-0-0":1,"\\u0062":2}`);
  assert.deepEqual(value, { "vaultlet-escaped-key-0-0": 1, b: 2 });
});

test("a document nested 20,000 deep with escaped keys reads without overflowing the stack", () => {
  const depth = 20_000;
  let value = parseJson(`${'{"\\u0041":'.repeat(depth)}1${"}".repeat(depth)}`);
  for (let i = 0; i < depth; i++) value = (value as { A: unknown }).A;
  assert.equal(value, 1);
});

test("invalid JSON fails with JSON.parse's own SyntaxError for the text as given", () => {
  for (const text of [`{"\\x":1}`, `{"\\u0041":1,}`, `{"a\\"":`, `["\\`]) {
    const native = (() => {
      try {
        JSON.parse(text);
      } catch (err) {
        return (err as Error).message;
      }
      return "parsed";
    })();
    assert.throws(
      () => parseJson(text),
      (err: Error) => err instanceof SyntaxError && err.message === native,
      text,
    );
  }
});
