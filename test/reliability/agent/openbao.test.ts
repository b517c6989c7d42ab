/**
 * OpenBao faults: the server stopped and started again (raft storage on
 * disk, so data and the agent's token survive), sealed then unsealed, and
 * frozen (SIGSTOP: it holds its port and answers nothing) then resumed. The
 * agent talks through a fault proxy that counts every request it makes,
 * including those that find the server gone.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentConfig } from "../../../shared/agent-config/types.ts";
import {
  baseConfig,
  eventually,
  fileTemplate,
  jwtAuth,
  kvPut,
  runInProcess,
} from "../../agent/agent-harness.ts";
import type { OpenBaoServer } from "../../support/openbao.ts";
import {
  assertBackoff,
  assertContentKept,
  fileBaoWithJwt,
  metricsOf,
  recordArrivals,
  sample,
  sleep,
  watchContent,
} from "./kit.ts";

const POLICY = `path "kv/data/*" { capabilities = ["read"] }`;
const TEMPLATE = '{{ with secret "kv/app" }}PASSWORD={{ .Data.data.password }}{{ end }}\n';
const FAULT_MS = 3000;

interface Fault {
  start(bao: OpenBaoServer): Promise<void>;
  end(bao: OpenBaoServer): Promise<void>;
  /** what the agent's log says about it */
  logged: RegExp;
}

const FAULTS: Record<string, Fault> = {
  "stopped and restarted": {
    start: (bao) => bao.kill(),
    end: (bao) => bao.restart(),
    logged: /ECONNREFUSED|connection refused|cannot reach|socket hang up|ECONNRESET/i,
  },
  "sealed then unsealed": {
    start: (bao) => bao.seal(),
    end: (bao) => bao.unseal(),
    logged: /sealed|503/i,
  },
  "frozen (SIGSTOP) then resumed": {
    start: (bao) => bao.freeze(),
    end: async (bao) => bao.resume(),
    logged: /did not answer|timed? ?out/i,
  },
};

function agentConfig(
  address: string,
  jwtPath: string,
  out: string,
  extra: Partial<AgentConfig> = {},
) {
  const auth = jwtAuth({ address } as OpenBaoServer, jwtPath);
  return baseConfig({
    ...auth,
    vault: { address, timeout: 1000 },
    template_config: { static_secret_render_interval: 300 },
    template: [fileTemplate(out, TEMPLATE)],
    ...extra,
  });
}

for (const [name, fault] of Object.entries(FAULTS)) {
  test(`OpenBao ${name}: the last good file stays, retries back off with jitter, the agent recovers by itself, metrics and logs tell`, async () => {
    const first = `first-Pa55word-${name.length}`;
    const second = `second-Pa55word-${name.length}`;
    const { bao, jwtPath, dir, proxy } = await fileBaoWithJwt(POLICY, first);
    const out = join(dir, "app.env");
    const agent = runInProcess(agentConfig(proxy.address, jwtPath, out));
    try {
      await eventually("first render", 15_000, () => existsSync(out));
      const parts = await agent.parts();
      const token = parts.auth.current()?.token;
      const failuresBefore = sample(await metricsOf(parts), "vaultlet_agent_secret_fetches_total", {
        result: "failure",
      });

      await fault.start(bao);
      const kvRequests = () => proxy.requests.filter((r) => r.path.startsWith("/v1/kv/")).length;
      const arrivals = recordArrivals(kvRequests);
      const watch = watchContent(out, (s) => s === `PASSWORD=${first}\n`);
      await sleep(FAULT_MS);
      // a frozen server fails a request only when the client's timeout ends
      const failedLog = () =>
        agent.logs.messages("secret request failed; keeping the last good value").length;
      await eventually("the failure logged", 10_000, () => failedLog() >= 1);
      const times = arrivals.stop();
      assertContentKept(watch);
      await fault.end(bao);

      // a 300 ms poll with no backoff would make ~10 attempts of up to 3 requests each
      assertBackoff(times, 12);
      const failed = agent.logs.messages("secret request failed; keeping the last good value");
      assert.ok(failed.length >= 1, "the failure is logged");
      assert.match(String(failed[0]!.error), /fetching kv\/app failed/);
      assert.match(String(failed[0]!.error), fault.logged);

      await kvPut(bao, "kv", "app", { password: second });
      await eventually("new value rendered after the fault", 20_000, () =>
        readFileSync(out, "utf8") === `PASSWORD=${second}\n` ? true : undefined,
      );
      const metrics = await metricsOf(parts);
      assert.ok(
        sample(metrics, "vaultlet_agent_secret_fetches_total", { result: "failure" }) >
          failuresBefore,
        "failed fetches are counted",
      );
      // the token survived (raft storage): no new login was needed
      assert.equal(parts.auth.current()?.token, token);
      agent.logs.assertNoSecrets([first, second, token, bao.rootToken]);
    } finally {
      await agent.stop();
      if (name.startsWith("frozen")) bao.resume();
    }
  });
}

test("OpenBao stopped with exit_on_retry_failure: the agent exits 1 naming the failed fetch, and the last good file stays", async () => {
  const first = "first-Pa55word-exit";
  const { bao, jwtPath, dir, proxy } = await fileBaoWithJwt(POLICY, first);
  const out = join(dir, "app.env");
  const agent = runInProcess(
    agentConfig(proxy.address, jwtPath, out, {
      vault: { address: proxy.address, timeout: 1000, retry: { num_retries: 2 } },
      template_config: { static_secret_render_interval: 300, exit_on_retry_failure: true },
    }),
  );
  await eventually("first render", 15_000, () => existsSync(out));
  const token = (await agent.parts()).auth.current()?.token;
  await bao.kill();
  const watch = watchContent(out, (s) => s === `PASSWORD=${first}\n`);
  assert.equal(await agent.done, 1);
  assertContentKept(watch);
  const failed = agent.logs.messages("agent failed");
  assert.equal(failed.length, 1);
  assert.match(String(failed[0]!.error), /SECRET_FETCH_FAILED: fetching kv\/app failed/);
  agent.logs.assertNoSecrets([first, token, bao.rootToken]);
});
