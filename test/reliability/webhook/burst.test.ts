import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { assertNoSecretsIn } from "../../support/log-capture.ts";
import { httpsRequest, type HttpsReply } from "../../webhook/server/https.ts";
import { admissionReview, annotatedPod } from "../../webhook/server/reviews.ts";
import { tlsFixture, type TlsFixture } from "../../webhook/server/tls-fixture.ts";

/**
 * A burst of 10,000 admission requests mixing good and bad bodies against
 * the real HTTPS server in a child process: it never crashes, every bad
 * body gets the answer its class calls for (status and message), heap
 * memory after a full GC does not keep growing (second third vs last
 * third of the burst), and the logs hold no pod env value, template
 * contents or body text.
 */

const SERVER = fileURLToPath(new URL("./burst-server.ts", import.meta.url));
const TOTAL = 10_000;
const CONCURRENCY = 32;
/** Heap growth allowed between the end of the second third and the end of the burst. */
const MAX_HEAP_GROWTH = 8 * 1024 * 1024;
// RSS also holds freed Buffer memory the allocator keeps (1.2 MB bodies), so its bound is looser.
const MAX_RSS_GROWTH = 128 * 1024 * 1024;

const ENV_SECRET = "burst-env-secret-value-7f3a";
const TEMPLATE_SECRET = "burst-template-contents-marker-91c2";
const BODY_SECRET = "burst-body-marker-55d0";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Case {
  readonly class: string;
  readonly body: Buffer;
  readonly contentType?: string;
  check(res: HttpsReply): void;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

function goodPod(annotations: Record<string, string> = {}) {
  return annotatedPod(
    {
      "vault.hashicorp.com/agent-inject-template-app.env": `{{ with secret "kv/app" }}${TEMPLATE_SECRET}={{ .Data.data.x }}{{ end }}`,
      ...annotations,
    },
    { env: [{ name: "DB_PASSWORD", value: ENV_SECRET }] },
  );
}

function review(res: HttpsReply, uid: string): Json {
  assert.equal(res.status, 200, `status ${res.status}: ${res.body}`);
  const body = res.json();
  assert.equal(body.kind, "AdmissionReview");
  assert.equal(body.response.uid, uid);
  return body.response;
}

function errorOf(res: HttpsReply, status: number, pattern: RegExp): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.body}`);
  const body = res.json();
  assert.match(body.error, pattern);
  assert.ok(!String(body.error).includes(BODY_SECRET), "an error quotes the body");
}

/** Request i of the burst: its class follows i, so every class appears in every third. */
function makeCase(i: number): Case {
  const goodReview = admissionReview({ object: goodPod() });
  switch (i % 12) {
    case 0:
    case 1:
    case 2: {
      const r = admissionReview({ object: goodPod() });
      return {
        class: "good",
        body: json(r),
        check: (res) => {
          const resp = review(res, r.request.uid);
          assert.equal(resp.allowed, true);
          assert.equal(resp.patchType, "JSONPatch");
        },
      };
    }
    case 3:
      return {
        class: "malformed JSON",
        body: Buffer.from(`{"apiVersion": "admission.k8s.io/v1", "kind": ${BODY_SECRET}}`),
        check: (res) => errorOf(res, 400, /not valid JSON.*expected an AdmissionReview/),
      };
    case 4: {
      const text = JSON.stringify({ ...goodReview, padding: BODY_SECRET });
      return {
        class: "truncated body",
        body: Buffer.from(text.slice(0, 50 + (i % (text.length - 60)))),
        check: (res) => errorOf(res, 400, /not valid JSON/),
      };
    }
    case 5:
      return {
        class: "wrong kind",
        body: json({ ...goodReview, kind: "Pod" }),
        check: (res) => errorOf(res, 400, /kind "Pod" is not supported: send kind AdmissionReview/),
      };
    case 6: {
      if (i % 48 === 6) {
        return {
          class: "huge annotations (over the body limit)",
          body: json(
            admissionReview({ object: goodPod({ "example.com/blob": "x".repeat(1_100_000) }) }),
          ),
          check: (res) => errorOf(res, 413, /larger than 1048576 bytes/),
        };
      }
      if (i % 48 === 18) {
        const r = admissionReview({
          object: goodPod({ "vault.hashicorp.com/agent-inject-template-big": "y".repeat(100_000) }),
        });
        return {
          class: "huge annotations (under the body limit)",
          body: json(r),
          check: (res) => assert.equal(review(res, r.request.uid).allowed, true),
        };
      }
      const r = admissionReview({ object: goodPod() });
      return {
        class: "good",
        body: json(r),
        check: (res) => assert.equal(review(res, r.request.uid).patchType, "JSONPatch"),
      };
    }
    case 7: {
      const r = admissionReview({
        object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } },
        kind: { group: "apps", version: "v1", kind: "Deployment" },
        resource: { group: "apps", version: "v1", resource: "deployments" },
      });
      return {
        class: "not a pod",
        body: json(r),
        check: (res) => {
          const resp = review(res, r.request.uid);
          assert.equal(resp.allowed, true);
          assert.equal(resp.patch, undefined);
        },
      };
    }
    case 8:
    case 9: {
      const bad: Record<string, string> =
        i % 24 < 12
          ? { "vault.hashicorp.com/agent-limits-cpu": "lots" }
          : { "vault.hashicorp.com/agent-inject-file-app.env": "../../../etc/passwd" };
      const name = Object.keys(bad)[0]!;
      const r = admissionReview({ object: goodPod(bad) });
      return {
        class: "bad annotation value",
        body: json(r),
        check: (res) => {
          const resp = review(res, r.request.uid);
          assert.equal(resp.allowed, false);
          assert.equal(resp.status.code, 400);
          assert.ok(resp.status.message.includes(name), resp.status.message);
        },
      };
    }
    case 10:
      return {
        class: "wrong content type",
        body: json(goodReview),
        contentType: "text/plain",
        check: (res) => errorOf(res, 415, /content type "text\/plain" is not supported/),
      };
    default:
      return {
        class: "not an AdmissionReview object",
        body: json([BODY_SECRET]),
        check: (res) => errorOf(res, 400, /must be a JSON object: an AdmissionReview/),
      };
  }
}

interface Memory {
  heapUsed: number;
  rss: number;
  gc: boolean;
}

describe("webhook burst of 10,000 mixed admission requests", () => {
  let fx: TlsFixture;
  let child: ChildProcess;
  let url: string;
  let logFile: string;
  let exited = false;

  const ask = async (): Promise<Memory> => {
    child.send({ type: "memory" });
    for (;;) {
      const [m] = (await once(child, "message")) as [Memory & { type: string }];
      if (m.type === "memory") return m;
    }
  };

  before(async () => {
    fx = await tlsFixture();
    logFile = join(fx.dir, "webhook.log");
    child = fork(SERVER, [fx.certFile, fx.keyFile, logFile], {
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.once("exit", () => (exited = true));
    const [m] = (await once(child, "message")) as [{ type: string; url: string }];
    assert.equal(m.type, "listening");
    url = m.url;
  });
  after(async () => {
    if (!exited) child.kill("SIGKILL");
    await fx.cleanup();
  });

  test(
    "no crash, every bad body answered clearly, heap stable, logs clean",
    { timeout: 300_000 },
    async (t) => {
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      const seen = new Map<string, number>();
      const failures: string[] = [];
      const send = async (i: number) => {
        const c = makeCase(i);
        seen.set(c.class, (seen.get(c.class) ?? 0) + 1);
        try {
          const res = await httpsRequest({
            url,
            ca: fx.ca.certPem,
            method: "POST",
            path: "/mutate",
            headers: { "content-type": c.contentType ?? "application/json" },
            body: c.body,
            agent,
          });
          c.check(res);
        } catch (err) {
          failures.push(`#${i} ${c.class}: ${(err as Error).message.split("\n")[0]}`);
        }
      };
      const run = async (from: number, to: number) => {
        let next = from;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < to) await send(next++);
          }),
        );
      };

      const third = Math.ceil(TOTAL / 3);
      const marks: Memory[] = [await ask()];
      for (const [from, to] of [
        [0, third],
        [third, 2 * third],
        [2 * third, TOTAL],
      ] as const) {
        await run(from, to);
        marks.push(await ask());
      }
      agent.destroy();

      assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${TOTAL} requests failed`);
      assert.equal(
        [...seen.values()].reduce((a, b) => a + b, 0),
        TOTAL,
      );
      assert.equal(seen.size, 10, `classes: ${[...seen.keys()].join(", ")}`);
      assert.ok(
        marks.every((m) => m.gc),
        "the server runs with --expose-gc",
      );
      const [, , second, last] = marks as [Memory, Memory, Memory, Memory];
      const heapGrowth = last.heapUsed - second.heapUsed;
      const rssGrowth = last.rss - second.rss;
      const mib = (n: number) => (n / 1048576).toFixed(1);
      t.diagnostic(
        `heapUsed after GC (MiB) start/1st/2nd/3rd third: ${marks.map((m) => mib(m.heapUsed)).join(" / ")}; ` +
          `RSS: ${marks.map((m) => mib(m.rss)).join(" / ")}`,
      );
      assert.ok(heapGrowth < MAX_HEAP_GROWTH, `heap grew ${heapGrowth} bytes over the last third`);
      assert.ok(rssGrowth < MAX_RSS_GROWTH, `RSS grew ${rssGrowth} bytes over the last third`);

      // still serving, then a clean stop
      const health = await httpsRequest({ url, ca: fx.ca.certPem, path: "/healthz" });
      assert.equal(health.status, 200);
      assert.equal(exited, false, "the server crashed during the burst");
      child.send({ type: "stop" });
      const [code] = await once(child, "exit");
      assert.equal(code, 0);

      const logs = await readFile(logFile, "utf8");
      assertNoSecretsIn(logs, [ENV_SECRET, TEMPLATE_SECRET, BODY_SECRET]);
      const lines = logs
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
      const badRequests =
        (seen.get("malformed JSON") ?? 0) +
        (seen.get("truncated body") ?? 0) +
        (seen.get("wrong kind") ?? 0) +
        (seen.get("not an AdmissionReview object") ?? 0);
      assert.equal(lines.filter((l) => l.msg === "admission request rejected").length, badRequests);
      assert.equal(
        lines.filter((l) => l.msg === "pod injection refused").length,
        seen.get("bad annotation value"),
      );
    },
  );
});
