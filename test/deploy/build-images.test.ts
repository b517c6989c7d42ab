/**
 * `npm run images` on bad input: a clear error that says what to do, before
 * any work, and no archive written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildImages } from "../../deploy/images/build-images.ts";
import { makeTempDir } from "../support/processes.ts";

test("--bench without BAO_BIN is an IMAGE_INPUT error pointing at the set-up, and nothing is written", async () => {
  const out = join(makeTempDir("vaultlet-images-"), "out");
  await assert.rejects(buildImages({ outDir: out, bench: true, baoBin: undefined }), {
    code: "IMAGE_INPUT",
    message: /BAO_BIN.*source test\/scripts\/setup\.sh/,
  });
  assert.ok(!existsSync(join(out, "vaultlet-agent.oci.tar")));
});

test("--bench with a BAO_BIN that is not bao is an IMAGE_INPUT error naming the path", async () => {
  const out = join(makeTempDir("vaultlet-images-"), "out");
  await assert.rejects(buildImages({ outDir: out, bench: true, baoBin: "/nonexistent/bao" }), {
    code: "IMAGE_INPUT",
    message: /\/nonexistent\/bao/,
  });
});
