/**
 * A real PostgreSQL (Debian's packages) per call, for dynamic database
 * credentials, torn down after the test.
 *
 * Usage:
 *   import { startPostgres, configureDatabaseEngine, pgLogin } from "../support/postgres.ts";
 *   const pg = await startPostgres();                 // 127.0.0.1:<free port>, random superuser password
 *   await pg.query("CREATE TABLE t (x int)");         // as the superuser
 *   const db = await configureDatabaseEngine(bao, pg, { role: "app", defaultTtl: "1m", maxTtl: "5m" });
 *   const creds = await bao.api("GET", db.credsPath); // database/creds/app
 *   await pgLogin(pg, { username, password })         // resolves to current_user, or throws
 *
 * Binaries: $PG_BIN (test/scripts/setup.sh exports it), else the newest
 * /usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as root, so
 * as root the data directory belongs to the `postgres` system user and the
 * server runs as that user. It listens on 127.0.0.1 only, with its unix socket
 * inside its own temporary directory. Teardown: immediate shutdown (SIGQUIT,
 * what `pg_ctl stop -m immediate` sends), then the directory is removed;
 * when the test file is done, or when test `t` ends with `{ t }`, or by your
 * own `stop()` with `{ autoTeardown: false }`.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, globSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { BaoAdmin } from "./openbao-admin.ts";
import type { TeardownContext } from "./openbao.ts";
import {
  GiveUp,
  freePort,
  makeTempDir,
  registerTeardown,
  removeTempDir,
  spawnTracked,
  userIds,
  waitUntil,
} from "./processes.ts";
import type { TrackedProcess } from "./processes.ts";

const START_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 5;
const SUPERUSER = "vaultlet_admin";

export interface StartPostgresOptions {
  t?: TeardownContext;
  autoTeardown?: boolean;
}

/** PostgreSQL's server binary directory. */
export function findPgBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return fromEnv;
  const dirs = globSync("/usr/lib/postgresql/*/bin").sort(
    (a, b) => Number(/(\d+)\/bin$/.exec(a)?.[1]) - Number(/(\d+)\/bin$/.exec(b)?.[1]),
  );
  const newest = dirs.at(-1);
  if (newest && existsSync(join(newest, "initdb"))) return newest;
  throw new Error(
    "no PostgreSQL: set PG_BIN or run `source test/scripts/setup.sh` (installs Debian's postgresql)",
  );
}

export class PostgresServer {
  readonly host = "127.0.0.1";
  readonly port: number;
  readonly dir: string;
  readonly superuser = SUPERUSER;
  readonly password: string;
  readonly database = "postgres";
  private readonly proc: TrackedProcess;
  private stopped = false;

  /** @internal use startPostgres() */
  constructor(init: { port: number; dir: string; password: string; proc: TrackedProcess }) {
    this.port = init.port;
    this.dir = init.dir;
    this.password = init.password;
    this.proc = init.proc;
  }

  get pid(): number {
    return this.proc.pid;
  }

  output(): string {
    return this.proc.output();
  }

  /** Connection URL for the superuser (tests only: it contains the password). */
  get superuserUrl(): string {
    return `postgresql://${SUPERUSER}:${encodeURIComponent(this.password)}@${this.host}:${this.port}/${this.database}?sslmode=disable`;
  }

  /** Run SQL as the superuser on a fresh connection. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    const client = new pg.Client({
      host: this.host,
      port: this.port,
      user: SUPERUSER,
      password: this.password,
      database: this.database,
    });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.proc.stop("SIGQUIT");
    removeTempDir(this.dir);
  }
}

/** Log in to PostgreSQL with the given credentials; resolves to `current_user` or throws. */
export async function pgLogin(
  server: PostgresServer,
  creds: { username: string; password: string; database?: string },
): Promise<string> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: creds.username,
    password: creds.password,
    database: creds.database ?? server.database,
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ current_user: string }>("SELECT current_user");
    return rows[0]?.current_user ?? "";
  } finally {
    await client.end();
  }
}

function runAs(ids: { uid: number; gid: number } | undefined, file: string, args: string[]): void {
  execFileSync(file, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LC_ALL: "C", LANG: "C" },
    ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
  });
}

/** Start a real PostgreSQL (see the module comment). */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = findPgBin();
  const ids = process.getuid?.() === 0 ? userIds("postgres") : undefined;
  const dir = makeTempDir("vaultlet-pg-");
  const dataDir = join(dir, "data");
  const password = randomBytes(18).toString("base64url");
  try {
    if (ids) chownSync(dir, ids.uid, ids.gid);
    const pwfile = join(dir, "pwfile");
    writeFileSync(pwfile, password + "\n", { mode: 0o600 });
    if (ids) chownSync(pwfile, ids.uid, ids.gid);
    runAs(ids, join(bin, "initdb"), [
      "-D",
      dataDir,
      "-U",
      SUPERUSER,
      `--pwfile=${pwfile}`,
      "--auth-host=scram-sha-256",
      "--auth-local=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
  } catch (err) {
    removeTempDir(dir);
    throw new Error(`initdb failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`, {
      cause: err,
    });
  }

  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const proc = spawnTracked(
      join(bin, "postgres"),
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `unix_socket_directories=${dir}`,
        // A throwaway test database: durability buys nothing here.
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=50",
      ],
      { env: { ...process.env, LC_ALL: "C", LANG: "C" }, cwd: dir, ...(ids ?? {}) },
    );
    const server = new PostgresServer({ port, dir, password, proc });
    try {
      await waitUntil(
        `PostgreSQL on 127.0.0.1:${port} to accept connections`,
        async () => {
          if (proc.hasExited) throw new GiveUp(`PostgreSQL exited:\n${proc.output().slice(-2000)}`);
          await server.query("SELECT 1");
          return true;
        },
        START_TIMEOUT_MS,
      );
    } catch (err) {
      lastError = err;
      await proc.stop("SIGKILL");
      if (/already in use/i.test(proc.output())) continue;
      removeTempDir(dir);
      throw err;
    }
    registerTeardown(() => server.stop(), options);
    return server;
  }
  removeTempDir(dir);
  throw lastError instanceof Error ? lastError : new Error("PostgreSQL did not start");
}

export interface DatabaseEngineOptions {
  /** secrets engine mount; default "database" */
  mount?: string;
  /** connection name; default "pg" */
  connection?: string;
  /** role name; default "app" */
  role?: string;
  defaultTtl?: string;
  maxTtl?: string;
  /** SQL run per credential; default: a LOGIN role valid until the lease's expiry, read access */
  creationStatements?: string[];
  revocationStatements?: string[];
}

export interface DatabaseEngineInfo {
  mount: string;
  connection: string;
  role: string;
  /** read this path for credentials, e.g. "database/creds/app" */
  credsPath: string;
}

export const DEFAULT_CREATION_STATEMENTS = [
  `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
  `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
];

/** Enable OpenBao's database engine against `server` with one connection and one role. */
export async function configureDatabaseEngine(
  bao: BaoAdmin,
  server: PostgresServer,
  opts: DatabaseEngineOptions = {},
): Promise<DatabaseEngineInfo> {
  const mount = opts.mount ?? "database";
  const connection = opts.connection ?? "pg";
  const role = opts.role ?? "app";
  await bao.enableSecretsEngine(mount, "database");
  await bao.api("POST", `${mount}/config/${connection}`, {
    plugin_name: "postgresql-database-plugin",
    connection_url: `postgresql://{{username}}:{{password}}@${server.host}:${server.port}/${server.database}?sslmode=disable`,
    username: server.superuser,
    password: server.password,
    allowed_roles: ["*"],
    verify_connection: true,
  });
  await bao.api("POST", `${mount}/roles/${role}`, {
    db_name: connection,
    creation_statements: opts.creationStatements ?? DEFAULT_CREATION_STATEMENTS,
    ...(opts.revocationStatements ? { revocation_statements: opts.revocationStatements } : {}),
    default_ttl: opts.defaultTtl ?? "1m",
    max_ttl: opts.maxTtl ?? "5m",
  });
  return { mount, connection, role, credsPath: `${mount}/creds/${role}` };
}
