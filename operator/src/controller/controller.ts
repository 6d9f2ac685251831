// The controller: informers (informers.ts) feed one de-duplicating work queue with three kinds of
// keys, each handled by its own module.
//   world          compile every pipeline and output into the agent config, render, apply what
//                  changed, prune what is no longer rendered (world.ts; one key: never runs
//                  concurrently)
//   status:<id>    compute one resource's status and write it through the status subresource
//                  when it differs (status.ts)
//   sweep          re-check every resource's status (agent reports or the DaemonSet changed)
//   sweep-ns       re-check the LogPipelines of the namespaces whose config shard agents now
//                  run in another version (at most once a second, like sweep)
// Only the leader processes keys; every replica keeps its caches warm.
import type { AgentSettings } from '../../../contract/agent-config/types.ts';
import type { KubeClient } from '../kube/client.ts';
import type { EventSink } from '../ops/events.ts';
import { errorReason, type OperatorMetrics } from '../ops/metrics.ts';
import type { RenderSettings } from '../render/settings.ts';
import { reportDelta } from '../status/agents.ts';
import { INFORMER_SILENCE_LIMIT_MS, Informers } from './informers.ts';
import { WorkQueue } from './queue.ts';
import { StatusReconciler, statusKey } from './status.ts';
import { WorldReconciler } from './world.ts';

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, extra?: object) => void;

export interface ControllerOptions {
  client: KubeClient;
  settings: RenderSettings;
  agent?: AgentSettings;
  fieldManager: string;
  metrics: OperatorMetrics;
  events: EventSink;
  log: Log;
  isLeader: () => boolean;
  concurrency?: number;
  resyncMs?: number;
  figuresIntervalMs?: number;
  /** Agent reports: stale after their lease duration; sweep at most this often. */
  sweepMinIntervalMs?: number;
  /**
   * Least time between the starts of two world reconciles. A burst of changes (thousands of
   * creates) is compiled and applied a few times a second instead of once per event; a single
   * change after a quiet moment starts at once.
   */
  worldMinIntervalMs?: number;
  /**
   * How long a pipeline whose agents are still loading its new config may go without a status
   * write: when they report it within this time, the status goes straight to its final state
   * (one write instead of RolloutInProgress and then Ready); when they do not, RolloutInProgress
   * is written, so a stuck rollout always shows.
   */
  rolloutGraceMs?: number;
}

export class Controller {
  private readonly o: Required<Omit<ControllerOptions, 'agent'>> & Pick<ControllerOptions, 'agent'>;
  readonly queue: WorkQueue;
  private readonly informers: Informers;
  private readonly world: WorldReconciler;
  private readonly status: StatusReconciler;
  private lastWorld = 0;
  private lastSweep = 0;
  private lastNamespaceSweep = 0;
  /** Namespaces whose LogPipelines the next `sweep-ns` re-checks. */
  private sweepNamespaces = new Set<string>();
  private started = false;

  constructor(opts: ControllerOptions) {
    this.o = {
      concurrency: 16,
      resyncMs: 10 * 60_000,
      figuresIntervalMs: 30_000,
      sweepMinIntervalMs: 1000,
      worldMinIntervalMs: 200,
      rolloutGraceMs: 3000,
      ...opts,
    };
    const o = this.o;
    this.queue = new WorkQueue({
      concurrency: o.concurrency,
      // A config change must not wait behind thousands of status checks.
      priority: (key) => key === 'world',
      onDepth: (d) => o.metrics.queueDepth.set(d),
    });
    this.informers = new Informers({
      client: o.client,
      settings: o.settings,
      resyncMs: o.resyncMs,
      log: o.log,
      feeds: {
        world: () => this.requestWorld(),
        status: (obj) => this.queue.add(statusKey(obj)),
        sweep: () => this.requestSweep(),
        reportsChanged: (obj, old, deleted) => {
          this.status.reportsChanged();
          // Only the pipelines whose configured count can have moved; every status when unsure.
          const d = reportDelta(old, obj, deleted, Date.now());
          if (d.all) this.requestSweep();
          else if (d.namespaces.size) this.requestNamespaceSweep(d.namespaces);
        },
        secretReferenced: (key) => this.world.referencedSecrets.has(key),
      },
    });
    this.world = new WorldReconciler({
      client: o.client,
      settings: o.settings,
      ...(o.agent ? { agent: o.agent } : {}),
      fieldManager: o.fieldManager,
      metrics: o.metrics,
      log: o.log,
      informers: this.informers,
      status: (obj) => this.queue.add(statusKey(obj)),
      sweep: () => this.requestSweep(),
    });
    this.status = new StatusReconciler({
      client: o.client,
      settings: o.settings,
      fieldManager: o.fieldManager,
      events: o.events,
      figuresIntervalMs: o.figuresIntervalMs,
      rolloutGraceMs: o.rolloutGraceMs,
      informers: this.informers,
      world: this.world,
      queue: this.queue,
    });
  }

  get synced(): boolean {
    return this.informers.synced;
  }

  /** Informers silent past `limitMs`, for /healthz (Informers.stalled). */
  stalled(limitMs: number = INFORMER_SILENCE_LIMIT_MS, now = Date.now()): { what: string; ms: number }[] {
    return this.informers.stalled(limitMs, now);
  }

  /** Start the informers (every replica) and wait for their first list. */
  async start(): Promise<void> {
    await this.informers.start();
    await this.world.loadAnchor();
    this.started = true;
    this.queue.start((key) => this.process(key));
  }

  /** Leadership began: reconcile everything from scratch. */
  kick(): void {
    this.world.forgetLastStates();
    this.queue.add('world');
  }

  stop(): void {
    this.queue.stop();
    this.informers.stop();
  }

  private requestWorld(): void {
    const wait = this.lastWorld + this.o.worldMinIntervalMs - Date.now();
    if (wait > 0) this.queue.addAfter('world', wait);
    else this.queue.add('world');
  }

  /**
   * Re-check the LogPipelines of these namespaces, at most as often as a sweep: while thousands of
   * namespaces change, every agent report names most of them, and one pass a second is enough.
   */
  private requestNamespaceSweep(namespaces: Set<string>): void {
    for (const n of namespaces) this.sweepNamespaces.add(n);
    const wait = this.lastNamespaceSweep + this.o.sweepMinIntervalMs - Date.now();
    if (wait > 0) this.queue.addAfter('sweep-ns', wait);
    else this.queue.add('sweep-ns');
  }

  private requestSweep(): void {
    const wait = this.lastSweep + this.o.sweepMinIntervalMs - Date.now();
    if (wait > 0) this.queue.addAfter('sweep', wait);
    else this.queue.add('sweep');
  }

  private async process(key: string): Promise<void> {
    if (!this.o.isLeader() || !this.started) return;
    const kind = key === 'world' ? 'world' : key === 'sweep' || key === 'sweep-ns' ? 'sweep' : 'status';
    const end = this.o.metrics.reconcileDuration.startTimer({ kind });
    try {
      if (key === 'world') {
        this.lastWorld = Date.now();
        await this.world.reconcile();
      } else if (key === 'sweep-ns') {
        this.lastNamespaceSweep = Date.now();
        const namespaces = this.sweepNamespaces;
        this.sweepNamespaces = new Set();
        this.status.sweepNamespaces(namespaces);
      } else if (key === 'sweep') {
        this.lastSweep = Date.now();
        this.status.sweep();
      } else await this.status.reconcile(key.slice('status:'.length));
    } catch (e) {
      const reason = errorReason(e);
      this.o.metrics.errors.inc({ reason });
      this.o.log('warn', 'reconcile failed; retrying with backoff', {
        key,
        reason,
        err: (e as Error).message,
      });
      throw e;
    } finally {
      end();
    }
  }
}
