import { V1MicroTime, type CoordinationV1Api, type V1Lease } from "@kubernetes/client-node";
import { explainRefusal, isApiStatus } from "./kube.ts";

export interface LeaseElectorOptions {
  readonly api: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica; the pod name in a cluster. */
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  readonly now?: () => Date;
}

export const DEFAULT_LEASE_SECONDS = 15;

/**
 * Leader election on a coordination.k8s.io/v1 Lease: the holder renews it;
 * anyone may take it once `renewTime + leaseDurationSeconds` has passed.
 * Writes carry the resourceVersion that was read, so when two replicas race
 * the API server answers one of them 409 and only one leads.
 */
export class LeaseElector {
  readonly identity: string;
  readonly #opts: LeaseElectorOptions;
  readonly #now: () => Date;
  #leader = false;

  constructor(opts: LeaseElectorOptions) {
    this.#opts = opts;
    this.identity = opts.identity;
    this.#now = opts.now ?? (() => new Date());
  }

  isLeader(): boolean {
    return this.#leader;
  }

  /** One round: take or renew the lease if allowed. Resolves to whether this replica leads. */
  async tryAcquireOrRenew(): Promise<boolean> {
    this.#leader = await this.#round();
    return this.#leader;
  }

  /** Gives the lease up so another replica can lead without waiting for it to expire. */
  async release(): Promise<void> {
    if (!this.#leader) return;
    this.#leader = false;
    const { api, namespace, name } = this.#opts;
    try {
      const lease = await api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== this.identity) return;
      lease.spec.holderIdentity = undefined;
      lease.spec.renewTime = undefined;
      await api.replaceNamespacedLease({ namespace, name, body: lease });
    } catch (err) {
      if (!isApiStatus(err, 404) && !isApiStatus(err, 409)) throw err;
    }
  }

  async #round(): Promise<boolean> {
    const { api, namespace, name } = this.#opts;
    const now = this.#now();
    const duration = this.#opts.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS;
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (!isApiStatus(err, 404)) {
        throw explainRefusal(err, `get leases/${name} in namespace ${namespace}`);
      }
      return this.#write(() =>
        api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name, namespace },
            spec: {
              holderIdentity: this.identity,
              leaseDurationSeconds: duration,
              acquireTime: new V1MicroTime(now.getTime()),
              renewTime: new V1MicroTime(now.getTime()),
              leaseTransitions: 0,
            },
          },
        }),
      );
    }
    const spec = current.spec ?? {};
    const mine = spec.holderIdentity === this.identity;
    if (!mine && !expired(current, now)) return false;
    const body: V1Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: duration,
        renewTime: new V1MicroTime(now.getTime()),
        ...(mine
          ? { acquireTime: micro(spec.acquireTime) ?? new V1MicroTime(now.getTime()) }
          : {
              acquireTime: new V1MicroTime(now.getTime()),
              leaseTransitions: (spec.leaseTransitions ?? 0) + 1,
            }),
      },
    };
    return this.#write(() => api.replaceNamespacedLease({ namespace, name, body }));
  }

  async #write(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (err) {
      if (isApiStatus(err, 409)) return false;
      throw err;
    }
  }
}

function expired(lease: V1Lease, now: Date): boolean {
  const spec = lease.spec;
  if (!spec?.holderIdentity || !spec.renewTime) return true;
  const renewed = new Date(spec.renewTime as unknown as string | Date).getTime();
  return renewed + (spec.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS) * 1000 < now.getTime();
}

/** Times read back arrive as strings; written ones must carry microseconds. */
function micro(value: unknown): V1MicroTime | undefined {
  if (value === undefined || value === null) return undefined;
  return new V1MicroTime(new Date(value as string | Date).getTime());
}
