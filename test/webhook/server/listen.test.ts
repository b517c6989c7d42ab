import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseWebhookListen as parseListen } from "../../../webhook/server/listen.ts";
import { tlsMinVersion } from "../../../webhook/tls/material.ts";

describe("server settings", () => {
  test("listen addresses in Go form", () => {
    assert.deepEqual(parseListen(":8080"), { host: "", port: 8080 });
    assert.deepEqual(parseListen("127.0.0.1:8443"), { host: "127.0.0.1", port: 8443 });
    assert.deepEqual(parseListen("[::1]:0"), { host: "::1", port: 0 });
    for (const bad of ["8080", "host:", ":99999", "a:b:c"]) {
      assert.throws(() => parseListen(bad), /is not HOST:PORT; use e\.g\. ":8080"/, bad);
    }
  });

  test("TLS minimum versions in Go form", () => {
    assert.equal(tlsMinVersion("tls12"), "TLSv1.2");
    assert.equal(tlsMinVersion("tls13"), "TLSv1.3");
    assert.equal(tlsMinVersion(""), undefined);
  });
});
