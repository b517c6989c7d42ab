/**
 * Runs the agent in-process against a real OpenBao, for the agent's
 * integration tests: config builder, log capture, a stop switch and the
 * agent's parts for inspection (metrics, token state). Every agent run here
 * fails its test when its log shows a token it held or a value written with
 * kvPut (test/support/log-capture.ts); tests add their other secrets with
 * `logs.assertNoSecrets`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentConfig, TemplateStanza } from "../../shared/agent-config/types.ts";
import { createLogger } from "../../shared/log.ts";
import { runAgent, type Agent } from "../../agent/runner/agent.ts";
import { captureLogs, type LogCapture } from "../support/log-capture.ts";
import { startOpenBao, type OpenBaoServer } from "../support/openbao.ts";
import type { JwtSigner } from "../support/jwt-signer.ts";

export interface RunningAgent {
  logs: LogCapture;
  /** resolves with the exit code */
  done: Promise<number>;
  /** the agent's parts, once built */
  parts(): Promise<Agent>;
  stop(): Promise<number>;
}

export function tempDir(prefix = "vaultlet-agent-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function baseConfig(over: Partial<AgentConfig>): AgentConfig {
  return {
    template: [],
    env_template: [],
    exit_after_auth: false,
    listener: [],
    vaultlet: { listen: "127.0.0.1:0" },
    ...over,
  };
}

export function fileTemplate(
  destination: string,
  contents: string,
  extra: Partial<TemplateStanza> = {},
): TemplateStanza {
  return {
    destination,
    contents,
    create_dest_dirs: false,
    error_on_missing_key: false,
    ...extra,
  };
}

export function runInProcess(config: AgentConfig): RunningAgent {
  const logs = captureLogs();
  const log = createLogger({ destination: logs.stream, level: "debug" });
  let stopNow!: () => void;
  const stop = new Promise<void>((r) => (stopNow = r));
  let gotParts!: (a: Agent) => void;
  const parts = new Promise<Agent>((r) => (gotParts = r));
  // every token the agent held; none may reach its log (checked when it ends)
  const tokens = new Set<string>();
  const onCreated = (a: Agent) => {
    a.auth.onTokenChange((c) => tokens.add(c.current.token));
    gotParts(a);
  };
  const done = runAgent(config, { log, env: {}, startupJitterMs: 0, onCreated }, stop).then(
    (code) => {
      logs.assertNoSecrets([...tokens, ...writtenSecrets]);
      return code;
    },
  );
  return {
    logs,
    done,
    parts: () => parts,
    stop: () => {
      stopNow();
      return done;
    },
  };
}

/** OpenBao with jwt auth at "jwt", role "app" bound to audience "vault", the given policy */
export async function baoWithJwt(
  policyHcl: string,
  role: { tokenTtl?: string; tokenMaxTtl?: string } = {},
): Promise<{ bao: OpenBaoServer; signer: JwtSigner; jwtPath: string; dir: string }> {
  const bao = await startOpenBao({ audit: true });
  await bao.writePolicy("app", policyHcl);
  const signer = await bao.enableJwtAuth({ mount: "jwt" });
  await bao.jwtRole("jwt", "app", {
    boundAudiences: ["vault"],
    userClaim: "sub",
    policies: ["app"],
    tokenTtl: role.tokenTtl ?? "1h",
    tokenMaxTtl: role.tokenMaxTtl ?? "2h",
  });
  const dir = tempDir();
  const jwtPath = join(dir, "jwt");
  writeFileSync(jwtPath, await signer.signJwt({ sub: "app", aud: "vault" }));
  return { bao, signer, jwtPath, dir };
}

/**
 * String values written through kvPut below (8 characters or more, so that
 * words that also name things in logs are left out): every in-process
 * agent's log is checked for them when it ends.
 */
const writtenSecrets = new Set<string>();
const SECRET_MIN_LENGTH = 8;

/** a fresh KV v2 mount answers 400 ("upgrading from non-versioned") for a moment: writes retry through it */
export async function kvPut(
  bao: OpenBaoServer,
  mount: string,
  path: string,
  data: Record<string, unknown>,
) {
  for (const v of Object.values(data)) {
    if (typeof v === "string" && v.length >= SECRET_MIN_LENGTH) writtenSecrets.add(v);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await bao.kvPut(mount, path, data);
    } catch (err) {
      if (attempt > 50 || !/Upgrading from non-versioned/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export function jwtAuth(bao: OpenBaoServer, jwtPath: string, extra: Record<string, unknown> = {}) {
  return {
    vault: { address: bao.address },
    auto_auth: {
      method: {
        type: "jwt",
        mount_path: "auth/jwt",
        config: { role: "app", path: jwtPath },
        min_backoff: 200,
        max_backoff: 1000,
        exit_on_err: false,
        ...extra,
      },
      sinks: [],
    },
  } satisfies Partial<AgentConfig>;
}

/** token_file auth reading `tokenPath`, with the same short test backoff as jwtAuth */
export function tokenFileAuth(bao: OpenBaoServer, tokenPath: string) {
  return {
    vault: { address: bao.address },
    auto_auth: {
      method: {
        type: "token_file",
        mount_path: "auth/token",
        config: { token_file_path: tokenPath },
        min_backoff: 200,
        max_backoff: 1000,
        exit_on_err: false,
      },
      sinks: [],
    },
  } satisfies Partial<AgentConfig>;
}

/** poll `check` every 50 ms until it returns a value other than undefined/false, or fail after `ms` */
export async function eventually<T>(
  what: string,
  ms: number,
  check: () => T | Promise<T>,
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false && v !== null) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
