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

/**
 * Automatic TLS. The leader (or the only replica without leader election)
 * keeps a CA and a short-lived serving certificate current, stores them in a
 * Secret and writes the CA bundle into the webhook configuration; followers
 * read the Secret and serve the same certificate.
 */
export function autoTlsSource(opts: AutoTlsOptions): AutoTlsSource {
  const now = opts.now ?? (() => new Date());
  const secretName = opts.secretName ?? DEFAULT_CERT_SECRET;
  const log = opts.logger;
  const elector = opts.useLeaderElection
    ? new LeaseElector({
        api: opts.apis.coordination,
        namespace: opts.namespace,
        name: opts.leaseName ?? DEFAULT_LEADER_LEASE,
        identity: opts.identity ?? hostname(),
        leaseDurationSeconds: opts.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS,
        now,
      })
    : undefined;

  let state: AuthorityState | undefined;
  /** The state this process knows is in the Secret; re-read after a leadership change. */
  let stateIsShared = false;
  let published: TlsMaterial | undefined;
  let onUpdate: (m: TlsMaterial) => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const publish = (next: AuthorityState) => {
    state = next;
    if (published?.certPem === next.leaf.certPem) return;
    published = next.leaf;
    onUpdate(next.leaf);
  };

  const lead = async () => {
    let resourceVersion: string | undefined;
    if (elector && !stateIsShared) {
      const secret = await readSecretOrUndefined(opts.apis.core, opts.namespace, secretName);
      resourceVersion = secret?.metadata?.resourceVersion;
      state = fromSecretData(secret?.data) ?? state;
      stateIsShared = true;
    }
    const at = now();
    const plan = planRenewal(state, opts.hosts, at);
    let bundleCurrent = false;
    if (plan !== "none") {
      const next = await renew(state, plan, opts.hosts, at, opts);
      // API servers must trust a new CA before any replica serves a certificate it signed.
      if (plan === "ca") {
        await patchCaBundle(next, at);
        bundleCurrent = true;
      }
      if (elector) {
        if (resourceVersion === undefined && state) {
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
          stateIsShared = false;
          return;
        }
      }
      log.info({ renewed: plan, hosts: opts.hosts }, "automatic TLS certificate issued");
      state = next;
    }
    // Also repairs a caBundle reset by someone else (a chart upgrade, a kubectl apply).
    if (!bundleCurrent) await patchCaBundle(state!, at);
    publish(state!);
  };

  const patchCaBundle = async (s: AuthorityState, at: Date) => {
    const patched = await patchWebhookCaBundle(
      opts.apis.admission,
      opts.webhookConfigName,
      caBundle(s, at, opts),
    );
    if (patched) log.info({ webhook: opts.webhookConfigName }, "webhook caBundle updated");
  };

  const follow = async () => {
    stateIsShared = false;
    const secret = await readSecretOrUndefined(opts.apis.core, opts.namespace, secretName);
    const shared = fromSecretData(secret?.data);
    if (shared) publish(shared);
    else if (!published)
      log.info({ secret: secretName }, "waiting for the leader to share the TLS certificate");
  };

  const sync = async () => {
    const leading = elector ? await elector.tryAcquireOrRenew() : true;
    if (leading) await lead();
    else await follow();
  };

  /** Rounds run one at a time, whoever asks (the timer, start, a test). */
  let queue: Promise<void> = Promise.resolve();
  const exclusive = (): Promise<void> => {
    const round = queue.then(sync);
    queue = round.catch(() => {});
    return round;
  };
  const guardedSync = () =>
    exclusive().catch((err) =>
      log.warn({ err: (err as Error).message }, "automatic TLS round failed; retrying"),
    );

  const schedule = () => {
    if (stopped) return;
    const every = opts.syncEveryMs ?? DEFAULT_SYNC_MS;
    // Jitter keeps replicas from calling the API server in lockstep.
    timer = setTimeout(
      () => void guardedSync().then(schedule),
      every * (0.8 + Math.random() * 0.4),
    );
    timer.unref();
  };

  return {
    async start(listener) {
      onUpdate = listener;
      await guardedSync();
      schedule();
    },
    current: () => published,
    sync: exclusive,
    isLeader: () => (elector ? elector.isLeader() : true),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await queue;
      await elector?.release().catch(() => {});
    },
  };
}
