// The status reconcile: one resource's status from what the world reconcile decided and what the
// agents report (their Lease reports, the DaemonSet, the agent pods), written through the status
// subresource when it differs. Figures-only changes are written at most every
// `figuresIntervalMs`; a RolloutInProgress write is held back `rolloutGraceMs` (holdable). The
// sweep re-checks every resource's status.
import { CONDITION, REASON } from '../api/conditions.ts';
import { resourceId } from '../compile/ids.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { withoutManagedFields } from '../kube/informer.ts';
import { keyOf, objectPath, rtOf } from '../kube/resources.ts';
import { type EventSink, emitTransitions } from '../ops/events.ts';
import type { RenderSettings } from '../render/settings.ts';
import { agentPodProblems } from '../status/agent-pods.ts';
import { type AgentReports, aggregateReports, nextExpiry } from '../status/agents.ts';
import {
  type AgentCounts,
  type Condition,
  outputStatus,
  pipelineStatus,
  statusDiff,
} from '../status/compute.ts';
import type { Informers } from './informers.ts';
import type { WorkQueue } from './queue.ts';
import type { WorldReconciler } from './world.ts';

export interface StatusOptions {
  client: KubeClient;
  settings: RenderSettings;
  fieldManager: string;
  events: EventSink;
  figuresIntervalMs: number;
  rolloutGraceMs: number;
  informers: Informers;
  world: WorldReconciler;
  queue: WorkQueue;
}

/** The queue key of a resource's status. */
export function statusKey(o: KubeObject): string {
  return `status:${o.kind}:${keyOf(o)}`;
}

export class StatusReconciler {
  private readonly o: StatusOptions;
  /** Agent reports summed once per Lease change, not once per status check. */
  private reports: { at: number; until: number; value: AgentReports } | undefined;
  /** Status keys whose RolloutInProgress write is held back, since when. */
  private readonly rolloutHeld = new Map<string, number>();
  private readonly lastStatusWrite = new Map<string, number>();

  constructor(o: StatusOptions) {
    this.o = o;
  }

  /** A report Lease changed. */
  reportsChanged(): void {
    this.reports = undefined;
  }

  /** Queue every resource's status, and the next sweep for when the first fresh report expires. */
  sweep(): void {
    const { informers, queue } = this.o;
    for (const inf of informers.crs.values()) for (const o of inf.list()) queue.add(statusKey(o));
    const next = nextExpiry(informers.leases.list(), Date.now());
    if (next !== undefined) queue.addAfter('sweep', Math.max(next - Date.now() + 50, 1000));
  }

  /** Queue the status of every LogPipeline in these namespaces. */
  sweepNamespaces(namespaces: Set<string>): void {
    for (const o of this.o.informers.crs.get('LogPipeline')!.list())
      if (namespaces.has(o.metadata.namespace ?? '')) this.o.queue.add(statusKey(o));
  }

  private agentReports(now: number): AgentReports {
    // Exact: which Leases are fresh changes only when one changes (which drops the cache) or
    // when the first fresh one expires.
    if (!this.reports || now >= this.reports.until || now < this.reports.at) {
      const leases = this.o.informers.leases.list();
      this.reports = {
        at: now,
        until: nextExpiry(leases, now) ?? Number.POSITIVE_INFINITY,
        value: aggregateReports(leases, now),
      };
    }
    return this.reports.value;
  }

  private agentCounts(): AgentCounts {
    const { informers, settings } = this.o;
    const ds = informers.owned.get('DaemonSet')!.get(settings.agentName, settings.namespace);
    const st = (ds?.status ?? {}) as { desiredNumberScheduled?: number; numberReady?: number };
    const desired = st.desiredNumberScheduled ?? 0;
    const ready = st.numberReady ?? 0;
    return ready < desired
      ? { desired, ready, problems: agentPodProblems(informers.agentPods.list()) }
      : { desired, ready };
  }

  /** `k` is `<kind>:<namespace/name or name>`: a status key without its `status:`. */
  async reconcile(k: string): Promise<void> {
    const [kind, key] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
    const inf = this.o.informers.crs.get(kind)!;
    const [a, b] = key.split('/');
    const obj = b === undefined ? inf.get(a!) : inf.get(b, a);
    const world = this.o.world;
    const desired = world.desired;
    if (!obj) this.rolloutHeld.delete(k);
    if (!obj || !desired) return;
    const id = resourceId({ kind, metadata: obj.metadata });
    const now = Date.now();
    const reports = this.agentReports(now);
    const generation = obj.metadata.generation ?? 0;
    // Not compiled yet: the world reconcile that compiles it queues this status again.
    if (world.compiledGeneration(id) < generation) return;
    const prev = obj.status as Record<string, unknown> | undefined;
    let want: Record<string, unknown>;
    if (kind === 'LogPipeline' || kind === 'ClusterLogPipeline') {
      const state = desired.pipelines.get(id);
      if (!state) return; // newer than the last world reconcile, which re-queues it
      const needs = desired.needs.get(id);
      let configured = 0;
      if (needs !== undefined)
        for (const a of reports.agents) if (world.runs(a.shards, needs, desired.items)) configured += a.count;
      want = pipelineStatus({
        generation,
        previous: prev as never,
        state,
        agents: this.agentCounts(),
        configured,
        figures: reports.outputs,
        unreadBytes: reports.unreadBytes.get(id),
        droppedByCaps: reports.capped.get(id),
        tenant: kind === 'LogPipeline',
        now,
      });
    } else {
      const state = desired.outputs.get(id);
      if (!state) return;
      want = outputStatus({
        generation,
        previous: prev as never,
        state,
        figures: reports.outputs.get(id),
        now,
      });
    }
    const diff = statusDiff(prev, want);
    const statusKeyStr = `${kind}:${key}`;
    if (diff === 'same') {
      this.rolloutHeld.delete(statusKeyStr);
      return;
    }
    // A new generation whose agents are still loading it: hold the RolloutInProgress write for a
    // moment; the agents usually report within it and the next write is the final one.
    if (diff === 'conditions' && holdable(prev, want)) {
      const since = this.rolloutHeld.get(statusKeyStr) ?? now;
      this.rolloutHeld.set(statusKeyStr, since);
      const wait = since + this.o.rolloutGraceMs - now;
      if (wait > 0) {
        this.o.queue.addAfter(`status:${statusKeyStr}`, wait);
        return;
      }
    }
    this.rolloutHeld.delete(statusKeyStr);
    if (diff === 'figures') {
      const wait = (this.lastStatusWrite.get(statusKeyStr) ?? 0) + this.o.figuresIntervalMs - now;
      if (wait > 0) {
        this.o.queue.addAfter(`status:${statusKeyStr}`, wait);
        return;
      }
    }
    const rt = rtOf(kind);
    const body = {
      apiVersion: rt.apiVersion,
      kind,
      metadata: {
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      },
      status: want,
    };
    const updated = await this.o.client.write(
      'PATCH',
      `${objectPath(rt, obj.metadata.name, obj.metadata.namespace)}/status`,
      {
        query: { fieldManager: this.o.fieldManager, force: true },
        body,
        contentType: 'application/apply-patch+yaml',
      },
      'status',
    );
    this.lastStatusWrite.set(statusKeyStr, now);
    // Keep the cache current at once so a quick re-check does not write the same status again.
    const u = updated as KubeObject;
    if (u?.metadata?.resourceVersion)
      inf.cache.set(keyOf(u), { ...withoutManagedFields(u), apiVersion: rt.apiVersion, kind });
    emitTransitions(
      this.o.events,
      obj,
      (prev?.conditions as Condition[]) ?? [],
      want.conditions as Condition[],
    );
  }
}

/**
 * The status to write says only "accepted, agents still loading it" (AgentsReady
 * RolloutInProgress, every other condition as good as it gets for a new generation), and the live
 * status does not show that rollout yet. Anything else — a rejection, a failing output, agents not
 * ready, a stuck rollout already shown — is written at once.
 */
export function holdable(live: Record<string, unknown> | undefined, want: Record<string, unknown>): boolean {
  const cond = (s: Record<string, unknown> | undefined, t: string) =>
    ((s?.conditions as Condition[] | undefined) ?? []).find((c) => c.type === t);
  if (cond(want, CONDITION.AgentsReady)?.reason !== REASON.RolloutInProgress) return false;
  if (cond(want, CONDITION.Accepted)?.status !== 'True') return false;
  if (cond(want, CONDITION.Delivering)?.status !== 'True') return false;
  const shown = cond(live, CONDITION.AgentsReady);
  return !(
    shown?.reason === REASON.RolloutInProgress && shown.observedGeneration === want.observedGeneration
  );
}
