/**
 * vaultlet's HCL parser against the real ones: `bao agent` itself, and
 * HashiCorp's HCL version 1 parser (the version `bao agent` is built with,
 * through test/shared/agent-config/hcl1-json) on every HCL file of the
 * repository and on generated agent-config-like files.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { globSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import fc from "../../../support/properties.ts";
import { AgentConfigError, parseAgentConfig } from "../../../../shared/agent-config/index.ts";
import { parseHcl } from "../../../../shared/agent-config/hcl.ts";
import { findBaoBinary } from "../../../support/openbao.ts";
import { makeTempDir, removeTempDir } from "../../../support/processes.ts";
import { hashicorpHcl } from "../hcl1-json.ts";
import { hclDocument, mutated } from "./generate.ts";

const ROOT = join(import.meta.dirname, "../../../..");
const run = promisify(execFile);

type Outcome = { value: unknown } | { error: string };

/**
 * The reference's values come through Go's encoding/json, which writes each
 * byte of invalid UTF-8 as U+FFFD; vaultlet keeps such a byte as its
 * surrogate escape (shared/go-string.ts), so compare in JSON's terms.
 */
function asJson(v: unknown): unknown {
  const text = (s: string) => s.replace(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g, "\uFFFD");
  if (typeof v === "string") return text(v);
  if (Array.isArray(v)) return v.map(asJson);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, text(k), {
        value: asJson(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}

function vaultlet(text: string): Outcome {
  try {
    return { value: asJson(parseHcl(text, "x.hcl").value) };
  } catch (err) {
    if (err instanceof AgentConfigError) return { error: err.problems.join("\n") };
    throw err;
  }
}

/** `bao agent -config=FILE`'s output; it exits quickly on these configs. */
async function baoAgent(file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(findBaoBinary(), ["agent", `-config=${file}`], {
      timeout: 20_000,
    });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return (e.stdout ?? "") + (e.stderr ?? "");
  }
}

const ONE_LINE = `vault { address = "http://127.0.0.1:1" }
auto_auth { method "jwt" { config = { role = "app" } } }
template { destination = "/tmp/vaultlet-never-written" contents = "x" }
`;

test("bao agent and vaultlet both read one-line nested blocks and two settings on a line, and both then miss the jwt path", async () => {
  const dir = makeTempDir("vaultlet-hcl-");
  try {
    const file = join(dir, "agent.hcl");
    writeFileSync(file, ONE_LINE);
    const bao = await baoAgent(file);
    // past the parser (its errors start "error loading configuration"), into the jwt method's checks
    assert.doesNotMatch(bao, /error loading configuration/);
    assert.match(bao, /missing 'path' value/);
    assert.deepEqual(parseHcl(ONE_LINE, "agent.hcl").value, {
      vault: [{ address: "http://127.0.0.1:1" }],
      auto_auth: [{ method: { jwt: [{ config: { role: "app" } }] } }],
      template: [{ destination: "/tmp/vaultlet-never-written", contents: "x" }],
    });
    await assert.rejects(parseAgentConfig(ONE_LINE, { source: "agent.hcl" }), (err) => {
      assert.ok(err instanceof AgentConfigError);
      assert.deepEqual(err.problems, ["agent.hcl:2: auto_auth.method.config.path: required"]);
      return true;
    });
  } finally {
    removeTempDir(dir);
  }
});

test("bao agent and vaultlet both refuse a <<- heredoc closed at column 0", async () => {
  const dir = makeTempDir("vaultlet-hcl-");
  try {
    const text = 'template {\n  destination = "/a"\n  contents = <<-EOF\n  x\nEOF\n}\n';
    const file = join(dir, "agent.hcl");
    writeFileSync(file, text);
    assert.match(await baoAgent(file), /error loading configuration.*heredoc not terminated/);
    assert.deepEqual(vaultlet(text), {
      error:
        "x.hcl:3:14: heredoc <<-EOF is not closed: with <<- the closing EOF must be indented (at least one space), as Vault reads it",
    });
  } finally {
    removeTempDir(dir);
  }
});

/**
 * Where vaultlet refuses on purpose what Vault's parser lets through: a key
 * with "=" and no value at the very end of the file, which Vault drops
 * silently.
 */
function deliberateDifference(text: string, ours: Outcome, theirs: Outcome): boolean {
  return (
    "error" in ours &&
    "value" in theirs &&
    /expected a value after .* =, found the end of the file$/.test(ours.error) &&
    /=\s*(#[^\n]*\s*|\/\/[^\n]*\s*|\/\*[\s\S]*?\*\/\s*)*$/.test(text)
  );
}

async function compare(texts: string[], label: (i: number) => string): Promise<number> {
  const reference = await hashicorpHcl(texts);
  let values = 0;
  texts.forEach((text, i) => {
    const ours = vaultlet(text);
    const theirs = reference[i]!;
    if (deliberateDifference(text, ours, theirs)) return;
    if ("value" in theirs) {
      values++;
      assert.deepEqual(ours, { value: theirs.value }, `${label(i)}\n${text}`);
    } else {
      assert.ok(
        "error" in ours,
        `${label(i)}: HashiCorp's parser refuses it (${theirs.error})\n${text}`,
      );
    }
  });
  return values;
}

test("every HCL file of the repository reads the same with HashiCorp's HCL 1 parser", async () => {
  const files = [
    ...globSync("deploy/**/*.hcl", { cwd: ROOT }),
    ...globSync("test/fixtures/**/*.hcl", { cwd: ROOT }),
  ].sort();
  assert.ok(files.length >= 15, files.join(" "));
  const texts = files.map((f) => readFileSync(join(ROOT, f), "utf8"));
  const values = await compare(texts, (i) => files[i]!);
  assert.equal(values, files.length - 1, "all but syntax-error.hcl parse");
});

test("generated agent-config-like HCL, and single-character mutations of it, read the same as with HashiCorp's HCL 1 parser", async () => {
  const docs = fc.sample(hclDocument, { numRuns: 400 });
  const values = await compare(docs, (i) => `document ${i}`);
  assert.equal(values, docs.length, "every generated document is valid HCL");
  const broken = fc.sample(mutated(docs), { numRuns: 800 });
  const stillValid = await compare(broken, (i) => `mutation ${i}`);
  // mutations reach both outcomes, so the comparison covers errors too
  assert.ok(stillValid > 50 && stillValid < 750, `${stillValid} of 800 mutations still parse`);
});
