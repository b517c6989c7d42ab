import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { joinStreams, parseInjectArgs } from "../../../webhook/inject/cli.ts";

const BIN = fileURLToPath(new URL("../../../deploy/cli/bin.ts", import.meta.url));
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/manifests/${name}`, import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function vaultlet(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env["PATH"] ?? "", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

const VAULT = { AGENT_INJECT_VAULT_ADDR: "https://vault.vault.svc:8200" };

describe("vaultlet inject (the command)", () => {
  test("-f FILE prints the injected manifests and exits 0", async () => {
    const res = await vaultlet(["inject", "-f", fixture("workloads.yaml")], { env: VAULT });
    assert.equal(res.code, 0, res.stderr);
    const docs = parseAllDocuments(res.stdout).map((d) => d.toJS());
    const web = docs.find((d) => d.kind === "Deployment" && d.metadata.name === "web");
    assert.equal(
      web.spec.template.metadata.annotations["vault.hashicorp.com/agent-inject-status"],
      "injected",
    );
    assert.ok(res.stdout.includes("# not a workload: copied as is"));
  });

  test("-f - reads stdin, and its own output injected again is unchanged", async () => {
    const input = readFileSync(fixture("workloads.yaml"), "utf8");
    const once = await vaultlet(["inject", "-f", "-"], { env: VAULT, stdin: input });
    assert.equal(once.code, 0, once.stderr);
    const twice = await vaultlet(["inject", "-f=-"], { env: VAULT, stdin: once.stdout });
    assert.equal(twice.code, 0, twice.stderr);
    assert.equal(twice.stdout, once.stdout);
  });

  test("repeated -f joins the files into one stream; the Vault address comes from the flag", async () => {
    const res = await vaultlet([
      "inject",
      "-f",
      fixture("workloads.yaml"),
      "--filename",
      fixture("list.yaml"),
      "-vault-address=https://vault.example:8200",
    ]);
    assert.equal(res.code, 0, res.stderr);
    const docs = parseAllDocuments(res.stdout).map((d) => d.toJS());
    assert.equal(docs.at(-1).kind, "List");
    assert.equal(docs.length, 11);
  });

  test("warnings go to stderr prefixed with the file, document and object", async () => {
    const res = await vaultlet(["inject", "-f", fixture("warnings.yaml")], { env: VAULT });
    assert.equal(res.code, 0);
    assert.match(
      res.stderr,
      /warning: .*warnings\.yaml: document 1 Deployment\/typo: .*agent-inject-secrt-db/,
    );
    assert.ok(res.stdout.includes("agent-inject-status: injected"));
  });

  test("a signalled app whose uid admission cannot know: the warning says what to set", async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: reloader
  namespace: shop
  annotations:
    vault.hashicorp.com/agent-inject: "true"
    vault.hashicorp.com/role: reloader
    vault.hashicorp.com/agent-inject-secret-config: secret/data/reloader
    vault.hashicorp.com/agent-inject-signal-config: SIGHUP
    vault.hashicorp.com/agent-inject-signal-process-config: reloader
spec:
  containers:
    - name: reloader
      image: registry.example/reloader:1
`;
    const res = await vaultlet(["inject", "-f", "-"], { env: VAULT, stdin: manifest });
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      res.stderr,
      /warning: .*Pod\/reloader: .*agent-inject-signal-config: container "reloader" runs as its image's user.*set securityContext\.runAsUser on container "reloader" or on the pod .*agent-run-as-user/,
    );
    assert.ok(res.stdout.includes("runAsUser: 100"), "the agent keeps the default uid");
  });

  test("a refused annotation exits 1 with the message and prints no manifests", async () => {
    const res = await vaultlet(["inject", "-f", fixture("rejected.yaml")], { env: VAULT });
    assert.equal(res.code, 1);
    assert.equal(res.stdout, "");
    assert.match(
      res.stderr,
      /error: .*rejected\.yaml: document 2 Deployment\/greedy: .*agent-limits-cpu/,
    );
  });

  test("-n sets the namespace of objects that name none", async () => {
    const res = await vaultlet(["inject", "-n", "kube-system", "-f", fixture("workloads.yaml")], {
      env: VAULT,
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /StatefulSet\/ledger: .*kube-system/);
  });

  test("no -f is a usage error (exit 2); an unreadable file names the file", async () => {
    const none = await vaultlet(["inject"], { env: VAULT });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no manifests given: use -f FILE/);
    const missing = await vaultlet(["inject", "-f", "/nonexistent/deploy.yaml"], { env: VAULT });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read \/nonexistent\/deploy\.yaml \(ENOENT\)/);
  });

  test("argument parsing keeps inject's own flags apart from webhook settings", () => {
    assert.deepEqual(
      parseInjectArgs([
        "-f",
        "a.yaml",
        "--filename=b.yaml",
        "-f=-",
        "-n",
        "ns",
        "--vault-address=x",
      ]),
      {
        files: ["a.yaml", "b.yaml", "-"],
        namespace: "ns",
        rest: ["--vault-address=x"],
        help: false,
      },
    );
  });

  test("joined streams get a document marker unless the next file starts with one", () => {
    assert.equal(
      joinStreams(["a: 1", "b: 2\n", "# c\n---\nc: 3\n", ""]),
      "a: 1\n---\nb: 2\n# c\n---\nc: 3\n",
    );
  });
});
