import path from "node:path";
import type { AgentConfig, TemplateStanza } from "../../shared/agent-config/types.ts";
import { describeError, VaultletError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { AuthManager } from "../auth/manager.ts";
import { createSupervisor, exitCodeOf, type Supervisor } from "../exec/index.ts";
import type { AgentMetrics } from "../ops/metrics.ts";
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  runCommand,
  sendSignal,
  SIGNAL_NO_PROCESS,
  SIGNAL_NOT_PERMITTED,
  SIGNAL_PID_FILE_INVALID,
  volumeRootOf,
  writeFileAtomic,
} from "../output/index.ts";
import type { SecretsStore } from "../secrets/store.ts";
import { bundleFromPem } from "../secrets/pem-file.ts";
import type {
  CompileOptions,
  CompiledTemplate,
  Dependency,
  RenderEnvironment,
  TemplateEngine,
} from "../template/types.ts";
import { defaultRandom, type Random } from "../timing/jitter.ts";
import { readIfExists, readSource } from "./files.ts";
import { RenderQueue, renderComplete, renderEnvironment } from "./template-job.ts";
import { stripUndefined } from "../../shared/own.ts";
import { kindOf } from "../secrets/kinds/index.ts";

export const TEMPLATE_ENGINE_MISSING = "TEMPLATE_ENGINE_MISSING";
export const COMMAND_FAILED = "COMMAND_FAILED";
export const RENDER_RETRIES_EXHAUSTED = "RENDER_RETRIES_EXHAUSTED";

export type Engines = Partial<Record<"go" | "handlebars", TemplateEngine>>;

export interface RunnerParts {
  config: AgentConfig;
  auth: AuthManager;
  store: SecretsStore;
  engines: Engines;
  log: Logger;
  /** absent in once mode, where nothing could ever read them */
  metrics?: AgentMetrics;
  /** environment visible to templates' `env` and to exec's app */
  env?: Readonly<Record<string, string | undefined>>;
  /** wait a random time up to this before the first login, so a fleet starting together spreads out */
  startupJitterMs?: number;
  /**
   * sidecar mode without exit_on_retry_failure: a template that cannot be
   * rendered at start waits for its secrets (not ready) instead of failing
   */
  waitForSecrets?: boolean;
  random?: Random;
  /**
   * exit_on_retry_failure: a template whose re-renders fail more than this
   * many times in a row (an unwritable destination) stops the agent
   */
  renderRetries?: number;
  onFatal?: (err: VaultletError) => void;
}

interface FileJob {
  name: string;
  rendered: boolean;
  stanza: TemplateStanza;
  compiled: CompiledTemplate;
  used: Set<string>;
  queue: RenderQueue;
}

interface EnvJob {
  name: string;
  rendered: boolean;
  compiled: CompiledTemplate;
  used: Set<string>;
  value: string | undefined;
  queue: RenderQueue;
}

/**
 * Wires auth, the secrets store, the templates and the output: logs in,
 * renders every template once (ready), then re-renders a template whenever a
 * secret it uses changes, writing only changed bytes and then running its
 * command or signal. Once mode stops after the first render.
 */
export class AgentRunner {
  readonly #p: RunnerParts;
  readonly #env: RenderEnvironment;
  readonly #files: FileJob[];
  readonly #envs: EnvJob[];
  #ready = false;
  #allRendered: (() => void) | undefined;
  #supervisor: Supervisor | undefined;
  #stopForwarding: (() => void) | undefined;

  constructor(parts: RunnerParts) {
    this.#p = parts;
    this.#env = renderEnvironment(parts.env ?? process.env);
    this.#files = parts.config.template.map((t) => this.#fileJob(t));
    this.#envs = parts.config.env_template.map((t) => {
      const job: EnvJob = {
        name: `env_template "${t.name}"`,
        compiled: this.#compile(t.engine, t.contents ?? readSource(t.source, t.name), {
          name: `env_template "${t.name}"`,
          source: t.source,
          leftDelimiter: t.left_delimiter,
          rightDelimiter: t.right_delimiter,
          errorOnMissingKey: t.error_on_missing_key,
        }),
        used: new Set(),
        rendered: false,
        value: undefined,
        queue: undefined as unknown as RenderQueue,
      };
      job.queue = new RenderQueue(
        job.name,
        () => this.#renderEnv(job, t.name),
        parts.log,
        undefined,
        (err, failures) => this.#renderFailed(job.name, err, failures),
      );
      return job;
    });
    parts.auth.onTokenChange((change) => parts.store.tokenChanged(change));
    parts.store.onChange((keys) => this.#changed(keys));
  }

  /** true once every template has been rendered and written */
  get ready(): boolean {
    return this.#ready;
  }

  /** the supervised app, in exec mode, once started */
  get supervisor(): Supervisor | undefined {
    return this.#supervisor;
  }

  /** log in and render everything once; throws with the reason when anything fails */
  async start(): Promise<void> {
    const { auth, log, random } = this.#p;
    const jitter = (this.#p.startupJitterMs ?? 0) * (random ?? defaultRandom)();
    if (jitter > 0) await new Promise((r) => setTimeout(r, jitter));
    await auth.start();
    if (auth.sinkError) throw auth.sinkError;
    await this.#firstRender();
    this.#p.store.retain(this.#usedKeys());
    if (this.#p.config.exec) await this.#startExec();
    this.#ready = true;
    log.info(
      { templates: this.#files.length, env_templates: this.#envs.length },
      "all templates rendered",
    );
  }

  /**
   * Every template once. In once mode (or with exit_on_retry_failure) the
   * first failure is the agent's. Otherwise a template whose secrets cannot
   * be fetched yet waits: the store keeps retrying and a value arriving
   * renders it; the agent is ready when the last one is written.
   */
  async #firstRender(): Promise<void> {
    const jobs = [...this.#files, ...this.#envs];
    const render = (j: FileJob | EnvJob) => j.queue.run();
    if (!this.#p.waitForSecrets) {
      await Promise.all(jobs.map(render));
      return;
    }
    const all = new Promise<void>((resolve) => (this.#allRendered = resolve));
    await Promise.all(
      jobs.map((j) =>
        render(j).catch((err) => {
          this.#p.log.error(
            { template: j.name, error: describeError(err) },
            "template not rendered yet; waiting for its secrets",
          );
          j.queue.retryLater();
        }),
      ),
    );
    this.#checkAllRendered();
    await all;
  }

  #checkAllRendered(): void {
    if ([...this.#files, ...this.#envs].every((j) => j.rendered)) this.#allRendered?.();
  }

  /**
   * Sidecar mode after start(): resolves with the exit code when `stop`
   * settles (SIGTERM) or, in exec mode, when the app exits.
   */
  async serve(stop: Promise<unknown>): Promise<number> {
    const sup = this.#supervisor;
    if (!sup) {
      await stop;
      await this.shutdown();
      return 0;
    }
    const ended = await Promise.race([
      sup.exited.then((r) => ({ app: r })),
      stop.then(() => undefined),
    ]);
    const result = ended ? ended.app : await sup.stop();
    await this.shutdown();
    return exitCodeOf(result);
  }

  /** stop every schedule; revoke the token and leases when revoke_on_shutdown is set */
  async shutdown(): Promise<void> {
    const { auth, store, log, config } = this.#p;
    this.#stopForwarding?.();
    for (const job of [...this.#files, ...this.#envs]) job.queue.cancel();
    store.stop();
    if (config.vaultlet?.revoke_on_shutdown) {
      await store.revokeLeases();
      await auth.revoke().then(
        () => log.info("token revoked"),
        (err) => log.warn({ error: describeError(err) }, "cannot revoke the token"),
      );
    }
    auth.stop();
  }

  #fileJob(t: TemplateStanza): FileJob {
    const name = t.destination;
    const text = t.contents ?? readSource(t.source, name);
    const job: FileJob = {
      name,
      stanza: t,
      compiled: this.#compile(t.engine, text, {
        name,
        source: t.source,
        leftDelimiter: t.left_delimiter,
        rightDelimiter: t.right_delimiter,
        errorOnMissingKey: t.error_on_missing_key,
      }),
      used: new Set(),
      rendered: false,
      queue: undefined as unknown as RenderQueue,
    };
    job.queue = new RenderQueue(
      name,
      () => this.#renderFile(job),
      this.#p.log,
      t.wait,
      (err, n) => this.#renderFailed(name, err, n),
    );
    return job;
  }

  #renderFailed(name: string, err: unknown, failures: number): void {
    const { renderRetries, onFatal } = this.#p;
    if (renderRetries === undefined || failures <= renderRetries) return;
    onFatal?.(
      new VaultletError(
        RENDER_RETRIES_EXHAUSTED,
        `template ${name} still failed after ${failures} tries: ${describeError(err)}`,
        { cause: err },
      ),
    );
  }

  #compile(
    engine: "go" | "handlebars" | undefined,
    text: string,
    opts: {
      name: string;
      source: string | undefined;
      leftDelimiter?: string;
      rightDelimiter?: string;
      errorOnMissingKey: boolean;
    },
  ): CompiledTemplate {
    const kind = engine ?? "go";
    const impl = this.#p.engines[kind];
    if (!impl) {
      throw new VaultletError(
        TEMPLATE_ENGINE_MISSING,
        `${opts.name}: the ${kind} template engine is not available`,
      );
    }
    const allowFunctions = this.#p.config.vaultlet?.allow_functions;
    return impl.compile(text, stripUndefined({ ...opts, allowFunctions }) as CompileOptions);
  }

  async #renderFile(job: FileJob): Promise<void> {
    const { metrics, log } = this.#p;
    try {
      const dest = path.resolve(job.stanza.destination);
      const output = await this.#renderReusingCertificates(job, dest);
      // the volume's mount point, not the nearest existing directory: a symlinked
      // directory inside the volume must count as inside it, so it is refused
      const root = await volumeRootOf(dest);
      const { changed } = await writeFileAtomic(root, dest, output, {
        perms: job.stanza.perms,
        createDirs: job.stanza.create_dest_dirs,
      });
      metrics?.renders.inc({ template: job.name });
      if (!job.rendered) {
        job.rendered = true;
        this.#checkAllRendered();
      }
      if (!changed) return;
      log.info({ template: job.name }, "template rendered; file changed");
      await this.#afterChange(job.stanza);
    } catch (err) {
      metrics?.renderErrors.inc({ template: job.name });
      throw err;
    }
  }

  /**
   * The first render of a template may reuse a certificate an earlier run
   * wrote to the destination (pkiCert, as Vault Agent does): kept only when
   * rendering with it gives exactly the file's bytes, else issued anew.
   */
  async #renderReusingCertificates(job: FileJob, dest: string): Promise<string> {
    const { store } = this.#p;
    const onKeys = (keys: Set<string>) => (job.used = keys);
    const seeded: Dependency[] = [];
    let existing: string | undefined;
    const seed = (missing: Dependency[]) => {
      const certs = missing.filter((d) => kindOf(d).reusesFileCertificate);
      if (certs.length === 0) return;
      existing ??= readIfExists(dest);
      const bundle = existing === undefined ? undefined : bundleFromPem(existing);
      if (!bundle) return;
      for (const dep of certs) {
        if (store.seedCertificate(dep, { data: { ...bundle } })) seeded.push(dep);
      }
    };
    const first = await renderComplete(
      job.name,
      job.compiled,
      store,
      this.#env,
      onKeys,
      job.rendered ? undefined : seed,
    );
    if (seeded.length === 0 || first.output === existing) return first.output;
    for (const dep of seeded) store.forget(dep);
    return (await renderComplete(job.name, job.compiled, store, this.#env, onKeys)).output;
  }

  async #renderEnv(job: EnvJob, varName?: string): Promise<void> {
    const { output } = await renderComplete(
      job.name,
      job.compiled,
      this.#p.store,
      this.#env,
      (keys) => (job.used = keys),
    );
    const before = job.value;
    job.value = output;
    this.#p.metrics?.renders.inc({ template: job.name });
    if (!job.rendered) {
      job.rendered = true;
      this.#checkAllRendered();
    }
    if (before !== undefined && before !== output && this.#supervisor) {
      this.#p.log.info({ variable: varName }, "environment value changed");
      await this.#supervisor.update(this.#envValues());
    }
  }

  async #afterChange(t: TemplateStanza): Promise<void> {
    const argv = t.exec?.command ?? t.command;
    if (argv && argv.length > 0) {
      const timeoutMs = t.exec?.timeout ?? t.command_timeout ?? DEFAULT_COMMAND_TIMEOUT_MS;
      const result = await runCommand(argv, { timeoutMs });
      if (result.code !== 0) {
        const how = result.timedOut
          ? "timed out"
          : result.signal
            ? `ended by ${result.signal}`
            : `exited ${result.code}`;
        throw new VaultletError(COMMAND_FAILED, `command of template ${t.destination} ${how}`);
      }
    }
    if (t.signal) {
      let pids: number[];
      try {
        ({ pids } = await sendSignal(t.signal));
      } catch (err) {
        const fields = {
          template: t.destination,
          signal: t.signal.signal,
          err: describeError(err),
        };
        // Nothing running yet (the first render comes before the app starts):
        // the app reads the new file when it starts, so the render stands.
        if (isAbsentTarget(err)) {
          this.#p.log.warn(fields, "no process to signal");
          return;
        }
        // Another uid's process: rendering again cannot change that, and the
        // file is written, so the render stands and the error says the fix.
        if (err instanceof VaultletError && err.code === SIGNAL_NOT_PERMITTED) {
          this.#p.log.error(fields, "app not signalled: not permitted");
          return;
        }
        throw err;
      }
      this.#p.log.info({ template: t.destination, signal: t.signal.signal, pids }, "app signalled");
    }
  }

  async #startExec(): Promise<void> {
    const { config, log } = this.#p;
    const names = this.#envs.map((j) => j.name);
    const sup = createSupervisor(config.exec!, log, {
      requiredEnv: config.env_template.map((t) => t.name),
      baseEnv: this.#p.env as NodeJS.ProcessEnv | undefined,
    });
    await sup.start(this.#envValues());
    this.#supervisor = sup;
    this.#stopForwarding = sup.forwardSignals(["SIGHUP", "SIGUSR1", "SIGUSR2"]);
    log.debug({ env_templates: names.length }, "app started");
  }

  #envValues(): Record<string, string> {
    const out: Record<string, string> = {};
    this.#p.config.env_template.forEach((t, i) => (out[t.name] = this.#envs[i]!.value ?? ""));
    return out;
  }

  #changed(keys: string[]): void {
    for (const job of [...this.#files, ...this.#envs]) {
      if (keys.some((k) => job.used.has(k))) job.queue.trigger();
    }
  }

  #usedKeys(): Set<string> {
    const all = new Set<string>();
    for (const job of [...this.#files, ...this.#envs]) for (const k of job.used) all.add(k);
    return all;
  }
}

/** A signal target that is not there: no process by that name, or no pid file yet. */
function isAbsentTarget(err: unknown): boolean {
  if (!(err instanceof VaultletError)) return false;
  if (err.code === SIGNAL_NO_PROCESS) return true;
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  return err.code === SIGNAL_PID_FILE_INVALID && cause?.code === "ENOENT";
}
