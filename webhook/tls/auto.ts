import { hostname } from "node:os";
import type { Logger } from "../../shared/log.ts";
import {
  caBundle,
  fromSecretData,
  planRenewal,
  renew,
  toSecretData,
  type AuthorityState,
  type AuthorityTimings,
} from "./authority.ts";
import { patchWebhookCaBundle, readSecretOrUndefined, writeSecret, type KubeApis } from "./kube.ts";
import { LeaseElector, DEFAULT_LEASE_SECONDS } from "./lease.ts";
import type { TlsMaterial, TlsSource } from "./material.ts";
import { serialTimer } from "./serial-timer.ts";

export const DEFAULT_CERT_SECRET = "vaultlet-webhook-certs";
export const DEFAULT_LEADER_LEASE = "vaultlet-webhook-leader";
/** Often enough to renew a 15 s lease three times before it lapses. */
const DEFAULT_SYNC_MS = 5_000;

export interface AutoTlsOptions extends AuthorityTimings {
  readonly apis: KubeApis;
  /** The injector's own namespace (env NAMESPACE): where the Lease and Secret live. */
  readonly namespace: string;
  /** Name of the MutatingWebhookConfiguration whose caBundle is kept current. */
  readonly webhookConfigName: string;
  /** DNS names (and IPs) the serving certificate is for. */
  readonly hosts: readonly string[];
  /** Several replicas: elect a leader and share the pair through a Secret. */
  readonly useLeaderElection: boolean;
  readonly logger: Logger;
  readonly identity?: string;
  readonly secretName?: string;
  readonly leaseName?: string;
  readonly leaseDurationSeconds?: number;
  readonly syncEveryMs?: number;
  readonly now?: () => Date;
}

export interface AutoTlsSource extends TlsSource {
  /** One round of elect, renew or fetch, publish. Runs on a timer after start; exposed for tests. */
  sync(): Promise<void>;
  isLeader(): boolean;
}

/** What the rounds share: the options, and what this replica knows. */
interface AutoTlsContext {
  readonly opts: AutoTlsOptions;
  readonly now: () => Date;
  readonly secretName: string;
  readonly log: Logger;
  readonly elector: LeaseElector | undefined;
  state: AuthorityState | undefined;
  /** The state this process knows is in the Secret; re-read after a leadership change. */
  stateIsShared: boolean;
  published: TlsMaterial | undefined;
  onUpdate: (m: TlsMaterial) => void;
}

/**
 * Automatic TLS. The leader (or the only replica without leader election)
 * keeps a CA and a short-lived serving certificate current, stores them in a
 * Secret and writes the CA bundle into the webhook configuration; followers
 * read the Secret and serve the same certificate.
 */
export function autoTlsSource(opts: AutoTlsOptions): AutoTlsSource {
  const now = opts.now ?? (() => new Date());
  const ctx: AutoTlsContext = {
    opts,
    now,
    secretName: opts.secretName ?? DEFAULT_CERT_SECRET,
    log: opts.logger,
    elector: opts.useLeaderElection
      ? new LeaseElector({
          api: opts.apis.coordination,
          namespace: opts.namespace,
          name: opts.leaseName ?? DEFAULT_LEADER_LEASE,
          identity: opts.identity ?? hostname(),
          leaseDurationSeconds: opts.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS,
          now,
        })
      : undefined,
    state: undefined,
    stateIsShared: false,
    published: undefined,
    onUpdate: () => {},
  };
  const sync = async () => {
    const leading = ctx.elector ? await ctx.elector.tryAcquireOrRenew() : true;
    if (leading) await lead(ctx);
    else await follow(ctx);
  };
  /** Rounds run one at a time, whoever asks (the timer, start, a test). */
  const rounds = serialTimer(sync, opts.syncEveryMs ?? DEFAULT_SYNC_MS, (err) =>
    ctx.log.warn({ err: (err as Error).message }, "automatic TLS round failed; retrying"),
  );
  return {
    async start(listener) {
      ctx.onUpdate = listener;
      await rounds.runGuarded();
      rounds.start();
    },
    current: () => ctx.published,
    sync: rounds.run,
    isLeader: () => (ctx.elector ? ctx.elector.isLeader() : true),
    async stop() {
      await rounds.stop();
      await ctx.elector?.release().catch(() => {});
    },
  };
}

function publish(ctx: AutoTlsContext, next: AuthorityState): void {
  ctx.state = next;
  if (ctx.published?.certPem === next.leaf.certPem) return;
  ctx.published = next.leaf;
  ctx.onUpdate(next.leaf);
}

/** The leader's round: renew what is due, share it through the Secret, keep the caBundle. */
async function lead(ctx: AutoTlsContext): Promise<void> {
  const { opts, elector, secretName } = ctx;
  let resourceVersion: string | undefined;
  if (elector && !ctx.stateIsShared) {
    const secret = await readSecretOrUndefined(opts.apis.core, opts.namespace, secretName);
    resourceVersion = secret?.metadata?.resourceVersion;
    ctx.state = fromSecretData(secret?.data) ?? ctx.state;
    ctx.stateIsShared = true;
  }
  const at = ctx.now();
  const plan = planRenewal(ctx.state, opts.hosts, at);
  let bundleCurrent = false;
  if (plan !== "none") {
    const next = await renew(ctx.state, plan, opts.hosts, at, opts);
    // API servers must trust a new CA before any replica serves a certificate it signed.
    if (plan === "ca") {
      await patchCaBundle(ctx, next, at);
      bundleCurrent = true;
    }
    if (elector) {
      if (resourceVersion === undefined && ctx.state) {
        const secret = await readSecretOrUndefined(opts.apis.core, opts.namespace, secretName);
        resourceVersion = secret?.metadata?.resourceVersion;
      }
      const written = await writeSecret(
        opts.apis.core,
        opts.namespace,
        secretName,
        toSecretData(next),
        resourceVersion,
      );
      if (!written) {
        // Someone else wrote the Secret first: start over from what they wrote.
        ctx.stateIsShared = false;
        return;
      }
    }
    ctx.log.info({ renewed: plan, hosts: opts.hosts }, "automatic TLS certificate issued");
    ctx.state = next;
  }
  // Also repairs a caBundle reset by someone else (a chart upgrade, a kubectl apply).
  if (!bundleCurrent) await patchCaBundle(ctx, ctx.state!, at);
  publish(ctx, ctx.state!);
}

async function patchCaBundle(ctx: AutoTlsContext, s: AuthorityState, at: Date): Promise<void> {
  const { opts } = ctx;
  const patched = await patchWebhookCaBundle(
    opts.apis.admission,
    opts.webhookConfigName,
    caBundle(s, at, opts),
  );
  if (patched) ctx.log.info({ webhook: opts.webhookConfigName }, "webhook caBundle updated");
}

/** A follower's round: serve what the leader shared. */
async function follow(ctx: AutoTlsContext): Promise<void> {
  ctx.stateIsShared = false;
  const secret = await readSecretOrUndefined(
    ctx.opts.apis.core,
    ctx.opts.namespace,
    ctx.secretName,
  );
  const shared = fromSecretData(secret?.data);
  if (shared) publish(ctx, shared);
  else if (!ctx.published)
    ctx.log.info({ secret: ctx.secretName }, "waiting for the leader to share the TLS certificate");
}
