import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHcl } from "../../../../shared/agent-config/hcl.ts";
import { literalOf } from "../../../../shared/agent-config/literals.ts";

const value = (text: string) => parseHcl(text, "a.hcl").value;

test("blocks: a list per name; labels nest as maps; `name = { }` is a map", () => {
  assert.deepEqual(
    value(
      'vault { address = "x" }\nvault { }\n' +
        'auto_auth {\n  method "jwt" { mount_path = "auth/jwt" }\n  sink "file" { a = 1 }\n  sink "file" { a = 2 }\n  sink "unix" { }\n}\n' +
        'two "l1" "l2" { x = 1 }\ntwo "l1" "l3" { x = 2 }\nconfig = { role = "r" }\n',
    ),
    {
      vault: [{ address: "x" }, {}],
      auto_auth: [
        {
          method: { jwt: [{ mount_path: "auth/jwt" }] },
          sink: { file: [{ a: 1 }, { a: 2 }], unix: [{}] },
        },
      ],
      two: { l1: { l2: [{ x: 1 }], l3: [{ x: 2 }] } },
      config: { role: "r" },
    },
  );
});

test("labels may be names as well as strings", () => {
  assert.deepEqual(value("method jwt { }"), { method: { jwt: [{}] } });
});

test("blocks of one name with and without labels: a list in source order", () => {
  assert.deepEqual(
    value('sink { a = 1 }\nsink "file" { a = 2 }\nsink { a = 3 }\nsink "x" "y" { }\n'),
    {
      sink: [{ a: 1 }, { file: [{ a: 2 }] }, { a: 3 }, { x: { y: [{}] } }],
    },
  );
  assert.deepEqual(value('b "x" { a = 1 }\nb "x" "y" { a = 2 }\n'), {
    b: { x: [{ a: 1 }, { y: [{ a: 2 }] }] },
  });
});

test("the source text of each number is kept beside its value (0640 and 416 read alike)", () => {
  const v = value('perms = 0640\nmode = 416\nt { p = 0x1A0 }\ns = "0640"\n');
  assert.deepEqual(v, { perms: 416, mode: 416, t: [{ p: 416 }], s: "0640" });
  assert.equal(literalOf(v, "perms"), "0640");
  assert.equal(literalOf(v, "mode"), "416");
  assert.equal(literalOf((v.t as object[])[0]!, "p"), "0x1A0");
  assert.equal(literalOf(v, "s"), undefined);
});
