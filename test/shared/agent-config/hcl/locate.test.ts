import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHcl } from "../../../../shared/agent-config/hcl.ts";

const TEXT = `vault {
  address = "x"
}
auto_auth {
  method "jwt" {
    config = {
      role = 1
    }
  }
  sink "file" {
    config = { path = "/a" }
  }
  sink "file" {
    config = { path = "/b" }
  }
}
template { destination = "/1" }
template {
  destination = "/2"
}
`;

test("the line of a key path: nested blocks, maps, labels and the n-th repeat", () => {
  const { locate } = parseHcl(TEXT, "a.hcl");
  assert.equal(
    locate([
      { key: "vault", n: 0 },
      { key: "address", n: 0 },
    ]),
    2,
  );
  assert.equal(
    locate([
      { key: "auto_auth", n: 0 },
      { key: "method", label: "jwt", n: 0 },
      { key: "config", n: 0 },
      { key: "role", n: 0 },
    ]),
    7,
  );
  assert.equal(
    locate([
      { key: "auto_auth", n: 0 },
      { key: "sink", label: "file", n: 1 },
      { key: "config", n: 0 },
    ]),
    14,
  );
  assert.equal(
    locate([
      { key: "template", n: 1 },
      { key: "destination", n: 0 },
    ]),
    19,
  );
  assert.equal(
    locate([
      { key: "template", n: 0 },
      { key: "destination", n: 0 },
    ]),
    17,
  );
  // a key that is not there: the line of the deepest one found
  assert.equal(
    locate([
      { key: "vault", n: 0 },
      { key: "namespace", n: 0 },
    ]),
    1,
  );
  assert.equal(locate([{ key: "cache", n: 0 }]), undefined);
});
