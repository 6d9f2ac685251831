// The informers: the four CR kinds, the owned agent objects, and the Secrets, Namespaces, agent
// report Leases and agent pods the operator reads, each cached as small as what it reads. Here is
// decided which change asks for what (the world reconcile, one resource's status, a sweep of every
// status); the controller turns those asks into queue keys. Every replica runs them, so a new
// leader starts with warm caches.
import { REPORT_LABEL } from '../../../contract/report.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import { keyOf, OWNED_KINDS, RT, rtOf } from '../kube/resources.ts';
import { ownedSelector } from '../render/meta.ts';
import type { RenderSettings } from '../render/settings.ts';

/** Watches end within 360 s (timeoutSeconds) and carry a bookmark about every minute. */
export const INFORMER_SILENCE_LIMIT_MS = 7 * 60_000;

const CR_KINDS = ['LogPipeline', 'ClusterLogPipeline', 'LogOutput', 'ClusterLogOutput'] as const;

/** What the informers ask of the controller. */
export interface InformerFeeds {
  /** Something the agent config or the agent objects are made from changed. */
  world(): void;
  /** This resource's spec changed: its status may say something else now. */
  status(obj: KubeObject): void;
  /** Agent reports or agent readiness changed: re-check every status. */
  sweep(): void;
  /** A report Lease changed: agent reports summed before are out of date, some statuses too. */
  reportsChanged(obj: KubeObject, old: KubeObject | undefined, deleted: boolean): void;
  /** Whether some output refers to this Secret (`namespace/name`); no other Secret matters. */
  secretReferenced(key: string): boolean;
}

export interface InformersOptions {
  client: KubeClient;
  settings: RenderSettings;
  resyncMs: number;
  feeds: InformerFeeds;
  log: (level: 'warn', msg: string, extra?: object) => void;
}

export class Informers {
  /** By kind (CR_KINDS). */
  readonly crs = new Map<string, Informer>();
  /** By kind (OWNED_KINDS). */
  readonly owned = new Map<string, Informer>();
  readonly secrets: Informer;
  readonly namespaces: Informer;
  readonly leases: Informer;
  /** The agent pods, for why they are not ready (status/agent-pods.ts). */
  readonly agentPods: Informer;

  constructor(o: InformersOptions) {
    const { client, settings: s, resyncMs, feeds } = o;
    const onError = (what: string) => (e: Error) =>
      o.log('warn', 'watch failed; re-listing after backoff', { what, err: e.message });
    for (const kind of CR_KINDS) {
      const inf = new Informer(client, {
        rt: rtOf(kind),
        resyncMs,
        onEvent: (ev, obj, old) => {
          if (ev === 'resync') {
            feeds.world();
            return;
          }
          // Status-only updates (our own writes) change nothing the world depends on.
          const specChanged =
            ev !== 'update' ||
            old?.metadata.generation !== obj.metadata.generation ||
            JSON.stringify(old?.metadata.labels) !== JSON.stringify(obj.metadata.labels) ||
            old?.metadata.uid !== obj.metadata.uid;
          if (specChanged) {
            feeds.world();
            if (ev !== 'delete') feeds.status(obj);
          }
        },
        onError: onError(kind),
      });
      this.crs.set(kind, inf);
    }
    const selector = ownedSelector(s);
    for (const kind of OWNED_KINDS) {
      const rt = rtOf(kind);
      const allNamespaces = kind === 'Role' || kind === 'RoleBinding';
      const inf = new Informer(client, {
        rt,
        namespace: rt.namespaced && !allNamespaces ? s.namespace : undefined,
        labelSelector: selector,
        resyncMs,
        onEvent: (ev) => {
          if (kind === 'DaemonSet') feeds.sweep();
          if (ev !== 'resync') feeds.world();
        },
        onError: onError(kind),
      });
      this.owned.set(kind, inf);
    }
    this.secrets = new Informer(client, {
      rt: RT.Secret,
      // Keep the key names only: the operator never holds secret values.
      transform: (o) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          resourceVersion: o.metadata.resourceVersion,
        },
        keys: Object.keys((o.data as object) ?? {}).sort(),
      }),
      onEvent: (ev, obj, old) => {
        if (!feeds.secretReferenced(keyOf(obj))) return;
        if (ev === 'update' && JSON.stringify(old?.keys) === JSON.stringify(obj.keys)) return;
        if (ev !== 'resync') feeds.world();
      },
      onError: onError('secrets'),
    });
    this.namespaces = new Informer(client, {
      rt: RT.Namespace,
      transform: (o) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: o.metadata.name,
          resourceVersion: o.metadata.resourceVersion,
          labels: o.metadata.labels ?? {},
        },
      }),
      onEvent: (ev, obj, old) => {
        if (ev === 'resync') return;
        if (ev === 'update' && JSON.stringify(old?.metadata.labels) === JSON.stringify(obj.metadata.labels))
          return;
        feeds.world();
      },
      onError: onError('namespaces'),
    });
    this.leases = new Informer(client, {
      rt: RT.Lease,
      namespace: s.namespace,
      labelSelector: `${REPORT_LABEL}=true`,
      onEvent: (ev, obj, old) => {
        if (ev !== 'resync') feeds.reportsChanged(obj, old, ev === 'delete');
      },
      onError: onError('leases'),
    });
    this.agentPods = new Informer(client, {
      rt: RT.Pod,
      namespace: s.namespace,
      labelSelector: `app.kubernetes.io/component=agent,app.kubernetes.io/instance=${s.agentName}`,
      // Only what agentPodProblems reads: pods change often (every probe result).
      transform: (o) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          resourceVersion: o.metadata.resourceVersion,
          ...(o.metadata.deletionTimestamp ? { deletionTimestamp: o.metadata.deletionTimestamp } : {}),
        },
        spec: { nodeName: (o.spec as { nodeName?: string } | undefined)?.nodeName },
        status: o.status,
      }),
      onEvent: (ev) => {
        if (ev !== 'resync') feeds.sweep();
      },
      onError: onError('agent pods'),
    });
  }

  /** Start every informer and wait for their first list. */
  async start(): Promise<void> {
    for (const i of this.all()) i.start();
    await Promise.all([...this.all()].map((i) => i.synced));
  }

  stop(): void {
    for (const i of this.all()) i.stop();
  }

  get synced(): boolean {
    return [...this.all()].every((i) => i.hasSynced);
  }

  /**
   * Informers whose open request has been silent past `limitMs` (Informer.silentMs): a watch the
   * apiserver should have ended or bookmarked long ago. /healthz fails on any, so the kubelet
   * restarts a replica whose view of the cluster froze. An unreachable apiserver is not this: its
   * requests fail fast and the informers retry, which a restart would not improve.
   */
  stalled(limitMs: number = INFORMER_SILENCE_LIMIT_MS, now = Date.now()): { what: string; ms: number }[] {
    return [...this.all()]
      .filter((i) => i.silentMs(now) > limitMs)
      .map((i) => ({ what: `${i.name} informer`, ms: i.silentMs(now) }));
  }

  private *all(): Iterable<Informer> {
    yield* this.crs.values();
    yield* this.owned.values();
    yield* [this.secrets, this.namespaces, this.leases, this.agentPods];
  }
}
