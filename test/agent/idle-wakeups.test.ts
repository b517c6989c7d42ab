/**
 * An agent with nothing due sleeps: its event loop wakes only for the next
 * thing due (here nothing for an hour), never on a polling timer. Counted,
 * not timed: every time the main thread blocks in epoll and is woken again
 * the kernel adds one to its voluntary context switches, so that count over
 * an idle window is the number of loop wake-ups (a 10 ms timer makes about
 * 100 a second; a busy machine adds preemptions, which are counted apart).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "../support/processes.ts";
import { baoWithJwt, eventually, kvPut } from "./agent-harness.ts";

const BIN = resolve(import.meta.dirname, "../../deploy/cli/bin.ts");
const IDLE_WINDOW_MS = 5_000;
/** room for V8's own housekeeping (its memory reducer looks in every 8 s) */
const MAX_WAKEUPS = 10;

function mainThreadSleeps(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, "utf8");
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)![1]);
}

test("a sidecar agent with nothing due for an hour wakes its event loop at most a few times in an idle window", async () => {
  const { bao, jwtPath, dir } = await baoWithJwt(`path "kv/data/app" { capabilities = ["read"] }`);
  await bao.enableKvV2("kv");
  await kvPut(bao, "kv", "app", { password: "idle-Pa55word" });
  const port = await freePort();
  const file = join(dir, "agent.json");
  writeFileSync(
    file,
    JSON.stringify({
      vault: { address: bao.address },
      auto_auth: {
        method: { type: "jwt", mount_path: "auth/jwt", config: { role: "app", path: jwtPath } },
        sink: [{ file: { config: { path: join(dir, "token") } } }],
      },
      // the metrics endpoint is on, as in a pod: its collectors must not poll either
      vaultlet: { listen: `127.0.0.1:${port}` },
      template_config: { static_secret_render_interval: "1h" },
      template: [
        {
          destination: join(dir, "out"),
          contents: '{{ with secret "kv/app" }}{{ .Data.data.password }}{{ end }}',
        },
      ],
    }),
  );
  const child = spawn(process.execPath, [BIN, "agent", `-config=${file}`], {
    env: { PATH: process.env["PATH"] ?? "" },
    stdio: "ignore",
  });
  try {
    await eventually("the first render", 20_000, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
      return res?.status === 200;
    });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /vaultlet_agent_process_process_cpu_seconds_total/);
    // let the start-up's sockets close and its promises settle
    await new Promise((r) => setTimeout(r, 1_000));
    const requestsBefore = bao.auditRequests({ excludeRoot: true }).length;
    const before = mainThreadSleeps(child.pid!);
    await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
    const wakeups = mainThreadSleeps(child.pid!) - before;
    assert.ok(
      wakeups <= MAX_WAKEUPS,
      `the idle agent's event loop woke ${wakeups} times in ${IDLE_WINDOW_MS} ms (at most ${MAX_WAKEUPS})`,
    );
    assert.equal(bao.auditRequests({ excludeRoot: true }).length, requestsBefore);
    assert.equal(child.exitCode, null, "the agent is still running");
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("close", r));
  }
});
