import { test } from "node:test";
import assert from "node:assert/strict";
import { bcryptBase64, bcryptHash } from "../../../../../agent/template/functions/sprig/bcrypt.ts";

const ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const decode = (s: string): Buffer =>
  Buffer.from(
    s.replace(/./g, (c) => STANDARD[ALPHABET.indexOf(c)]!),
    "base64",
  );

test("bcrypt gives the hash bao agent gave for the same password and salt", () => {
  // rendered by bao agent 2.7.2 from {{ sprig_bcrypt "secret" }} and {{ sprig_htpasswd "bob" "pw" }}
  for (const [password, hash] of [
    ["secret", "$2a$10$MKznqJBwDV32k2cJm07vfuzuhvJPgt8ZvcGb30jIX8WUiThq9eHDi"],
    ["pw", "$2a$10$Dq0tBLMTCr0gpzYZo4Qsp.vCgu8kIjvHZ5ojORQET70fSDRlPMaVm"],
  ] as const) {
    const salt = decode(hash.slice(7, 29)).subarray(0, 16);
    const key = Buffer.concat([Buffer.from(password), Buffer.from([0])]);
    const got = `$2a$10$${bcryptBase64(salt)}${bcryptBase64(bcryptHash(key, salt, 10))}`;
    assert.equal(got, hash);
  }
});
