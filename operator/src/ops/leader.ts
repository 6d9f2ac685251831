// Leader election with a coordination.k8s.io Lease, the way client-go does it: take the Lease
// when it is free or expired, renew it every `retryMs`, and give up leadership when a renewal has
// not succeeded for `renewDeadlineMs` (another replica may take it after `leaseDurationMs`).
// Optimistic concurrency (resourceVersion) decides races between replicas.
import { type KubeClient, KubeError } from '../kube/client.ts';
import { collectionPath, objectPath, RT } from '../kube/resources.ts';

export interface LeaderOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryMs: number;
  onStarted: () => void;
  onStopped: () => void;
  log: (level: 'info' | 'warn', msg: string, extra?: object) => void;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const micro = (t: number) => new Date(t).toISOString().replace('Z', '000Z');

export class LeaderElector {
  private readonly o: LeaderOptions;
  private timer: NodeJS.Timeout | undefined;
  private lastRenew = 0;
  private stopped = false;
  leading = false;

  constructor(o: LeaderOptions) {
    this.o = o;
  }

  start(): void {
    void this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.o.retryMs);
  }

  private async tick(): Promise<void> {
    try {
      const ok = await this.tryAcquireOrRenew();
      if (ok) {
        this.lastRenew = Date.now();
        if (!this.leading) {
          this.leading = true;
          this.o.log('info', 'became the leader', { lease: this.o.name, identity: this.o.identity });
          this.o.onStarted();
        }
      }
    } catch (e) {
      this.o.log('warn', 'leader election request failed', { err: (e as Error).message });
    }
    if (this.leading && Date.now() - this.lastRenew > this.o.renewDeadlineMs) {
      this.leading = false;
      this.o.log('warn', 'lost leadership: could not renew the lease in time', { lease: this.o.name });
      this.o.onStopped();
    }
    this.schedule();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.o;
    const path = objectPath(RT.Lease, name, namespace);
    const now = Date.now();
    const lease = await client.get<Lease>(path);
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      renewTime: micro(now),
    };
    if (!lease) {
      await client.write(
        'POST',
        collectionPath(RT.Lease, namespace),
        {
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: { ...spec, acquireTime: micro(now), leaseTransitions: 0 },
          },
        },
        'leader-election',
      );
      return true;
    }
    const s = lease.spec ?? {};
    const held = s.holderIdentity && s.holderIdentity !== identity;
    const expires = s.renewTime ? Date.parse(s.renewTime) + (s.leaseDurationSeconds ?? 15) * 1000 : 0;
    if (held && expires > now) return false;
    const body = {
      ...lease,
      spec: {
        ...s,
        ...spec,
        ...(s.holderIdentity !== identity
          ? { acquireTime: micro(now), leaseTransitions: (s.leaseTransitions ?? 0) + 1 }
          : {}),
      },
    };
    try {
      await client.write('PUT', path, { body }, 'leader-election');
    } catch (e) {
      if (e instanceof KubeError && e.status === 409) return false;
      throw e;
    }
    return true;
  }

  /** Stop renewing; release the lease so a standby takes over at once. */
  async stop(release: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!release || !this.leading) return;
    const path = objectPath(RT.Lease, this.o.name, this.o.namespace);
    try {
      const lease = await this.o.client.get<Lease>(path);
      if (lease?.spec?.holderIdentity === this.o.identity) {
        await this.o.client.write(
          'PUT',
          path,
          {
            body: {
              ...lease,
              spec: {
                ...lease.spec,
                holderIdentity: '',
                leaseDurationSeconds: 1,
                renewTime: micro(Date.now() - 2000),
              },
            },
          },
          'leader-election',
        );
      }
    } catch {
      // best effort: the lease expires anyway
    }
    this.leading = false;
  }
}
