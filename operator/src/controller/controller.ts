// The controller: informers feed one de-duplicating work queue with three kinds of keys.
//   world          compile every pipeline and output into the agent config, render, apply what
//                  changed, prune what is no longer rendered (one key: never runs concurrently)
//   status:<id>    compute one resource's status and write it through the status subresource
//                  when it differs (figures-only changes at most every `figuresIntervalMs`)
//   sweep          re-check every resource's status (agent reports or the DaemonSet changed)
// Only the leader processes keys; every replica keeps its caches warm.
import type { AgentConfig, AgentSettings } from '../../../agent/src/config/types.ts';
import { REPORT_LABEL } from '../../../agent/src/ops/report.ts';
import { CONDITION, REASON } from '../api/conditions.ts';
import { resourceId } from '../compile/ids.ts';
import { secretRefs } from '../compile/secrets.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { Informer, withoutManagedFields } from '../kube/informer.ts';
import { keyOf, OWNED_KINDS, objectPath, RT, rtOf } from '../kube/resources.ts';
import type { EventSink } from '../ops/events.ts';
import { errorReason, type OperatorMetrics } from '../ops/metrics.ts';
import { AGENT_CONFIG_KEY, agentConfigText } from '../render/configmap.ts';
import { ownedSelector } from '../render/meta.ts';
import type { RenderSettings } from '../render/settings.ts';
import type { Desired, OutputState, PipelineState, WorldSnapshot } from '../state.ts';
import { agentPodProblems } from '../status/agent-pods.ts';
import { type AgentReports, aggregateReports, nextExpiry } from '../status/agents.ts';
import {
  type AgentCounts,
  type Condition,
  deepEqual,
  outputStatus,
  pipelineStatus,
  statusDiff,
} from '../status/compute.ts';
import { applyAndPrune, ownedKey } from './apply.ts';
import { computeDesired } from './desired.ts';
import { DesiredMemo } from './memo.ts';
import { WorkQueue } from './queue.ts';

/** Watches end within 360 s (timeoutSeconds) and carry a bookmark about every minute. */
export const INFORMER_SILENCE_LIMIT_MS = 7 * 60_000;

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

const CR_KINDS = ['LogPipeline', 'ClusterLogPipeline', 'LogOutput', 'ClusterLogOutput'] as const;
const HISTORY = 64;

export class Controller {
  private readonly o: Required<Omit<ControllerOptions, 'agent'>> & Pick<ControllerOptions, 'agent'>;
  readonly queue: WorkQueue;
  private readonly crs = new Map<string, Informer>();
  private readonly owned = new Map<string, Informer>();
  private secrets!: Informer;
  private namespaces!: Informer;
  private leases!: Informer;
  /** The agent pods, for why they are not ready (status/agent-pods.ts). */
  private agentPods!: Informer;
  private desired: Desired | undefined;
  private configInfoHash = '';
  private readonly memo = new DesiredMemo();
  /** Agent reports summed once per Lease change, not once per status check. */
  private reports: { at: number; until: number; value: AgentReports } | undefined;
  /** config hash → pipeline id → fingerprint, for "which agents run this pipeline's config". */
  private readonly history = new Map<string, Map<string, string>>();
  /** Per resource, the decided state and fingerprint its status was last queued for. */
  private readonly lastStates = new Map<
    string,
    { state: PipelineState | OutputState; fp: string | undefined }
  >();
  /** Status keys whose RolloutInProgress write is held back, since when. */
  private readonly rolloutHeld = new Map<string, number>();
  private lastWorld = 0;
  private readonly lastStatusWrite = new Map<string, number>();
  private referencedSecrets = new Set<string>();
  private anchor: WorldSnapshot['anchor'];
  /**
   * The generation of each resource the current `desired` was compiled from. A spec change queues
   * the resource's status at once, but until the next world reconcile compiles it, `desired` (and
   * the agents' "configured" count) still describe the previous generation: its status must not
   * claim the new one.
   */
  private compiledGenerations = new Map<string, number>();
  /** Owned objects no longer rendered that RBAC forbids deleting (tried once, logged once). */
  private readonly unprunable = new Set<string>();
  private lastSweep = 0;
  private started = false;

  constructor(opts: ControllerOptions) {
    this.o = {
      concurrency: 4,
      resyncMs: 10 * 60_000,
      figuresIntervalMs: 30_000,
      sweepMinIntervalMs: 1000,
      worldMinIntervalMs: 200,
      rolloutGraceMs: 3000,
      ...opts,
    };
    this.queue = new WorkQueue({
      concurrency: this.o.concurrency,
      // A config change must not wait behind thousands of status checks.
      priority: (key) => key === 'world',
      onDepth: (d) => this.o.metrics.queueDepth.set(d),
    });
  }

  get synced(): boolean {
    return [...this.allInformers()].every((i) => i.hasSynced);
  }

  /**
   * Informers whose open request has been silent past `limitMs` (Informer.silentMs): a watch the
   * apiserver should have ended or bookmarked long ago. /healthz fails on any, so the kubelet
   * restarts a replica whose view of the cluster froze. An unreachable apiserver is not this: its
   * requests fail fast and the informers retry, which a restart would not improve.
   */
  stalled(limitMs: number = INFORMER_SILENCE_LIMIT_MS, now = Date.now()): { what: string; ms: number }[] {
    return [...this.allInformers()]
      .filter((i) => i.silentMs(now) > limitMs)
      .map((i) => ({ what: `${i.name} informer`, ms: i.silentMs(now) }));
  }

  private *allInformers(): Iterable<Informer> {
    yield* this.crs.values();
    yield* this.owned.values();
    if (this.secrets) yield* [this.secrets, this.namespaces, this.leases, this.agentPods];
  }

  /** Start the informers (every replica) and wait for their first list. */
  async start(): Promise<void> {
    const { client, settings: s, resyncMs } = this.o;
    const onErr = (what: string) => (e: Error) =>
      this.o.log('warn', 'watch failed; re-listing after backoff', { what, err: e.message });
    for (const kind of CR_KINDS) {
      const inf = new Informer(client, {
        rt: rtOf(kind),
        resyncMs,
        onEvent: (ev, obj, old) => this.onCr(ev, obj, old),
        onError: onErr(kind),
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
          if (kind === 'DaemonSet') this.requestSweep();
          if (ev !== 'resync') this.requestWorld();
        },
        onError: onErr(kind),
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
        if (!this.referencedSecrets.has(keyOf(obj))) return;
        if (ev === 'update' && JSON.stringify(old?.keys) === JSON.stringify(obj.keys)) return;
        if (ev !== 'resync') this.requestWorld();
      },
      onError: onErr('secrets'),
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
        this.requestWorld();
      },
      onError: onErr('namespaces'),
    });
    this.leases = new Informer(client, {
      rt: RT.Lease,
      namespace: s.namespace,
      labelSelector: `${REPORT_LABEL}=true`,
      onEvent: () => {
        this.reports = undefined;
        this.requestSweep();
      },
      onError: onErr('leases'),
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
        if (ev !== 'resync') this.requestSweep();
      },
      onError: onErr('agent pods'),
    });
    for (const i of this.allInformers()) i.start();
    await Promise.all([...this.allInformers()].map((i) => i.synced));
    await this.loadAnchor();
    this.started = true;
    this.queue.start((key) => this.process(key));
  }

  /**
   * The owner of the agent objects: the operator's own ClusterRole, installed and uninstalled with
   * it. Uninstalling the operator then garbage-collects the agents (and their RBAC, ConfigMap...)
   * instead of leaving them shipping unmanaged; a cluster-scoped owner can own objects in any
   * namespace, which a Deployment could not.
   */
  private async loadAnchor(): Promise<void> {
    const name = this.o.settings.operatorName;
    try {
      const role = await this.o.client.get(objectPath(RT.ClusterRole, name));
      if (role?.metadata.uid)
        this.anchor = {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          name,
          uid: role.metadata.uid,
        };
      else
        this.o.log('warn', 'the operator ClusterRole does not exist; agent objects get no owner', { name });
    } catch (e) {
      this.o.log('warn', 'cannot read the operator ClusterRole; agent objects get no owner', {
        name,
        err: (e as Error).message,
      });
    }
  }

  /** Leadership began: reconcile everything from scratch. */
  kick(): void {
    this.lastStates.clear();
    this.queue.add('world');
  }

  stop(): void {
    this.queue.stop();
    for (const i of this.allInformers()) i.stop();
  }

  private onCr(ev: string, obj: KubeObject, old?: KubeObject): void {
    if (ev === 'resync') {
      this.requestWorld();
      return;
    }
    // Status-only updates (our own writes) change nothing the world depends on.
    const specChanged =
      ev !== 'update' ||
      old?.metadata.generation !== obj.metadata.generation ||
      JSON.stringify(old?.metadata.labels) !== JSON.stringify(obj.metadata.labels) ||
      old?.metadata.uid !== obj.metadata.uid;
    if (specChanged) {
      this.requestWorld();
      if (ev !== 'delete') this.queue.add(statusKey(obj));
    }
  }

  private requestWorld(): void {
    const wait = this.lastWorld + this.o.worldMinIntervalMs - Date.now();
    if (wait > 0) this.queue.addAfter('world', wait);
    else this.queue.add('world');
  }

  private requestSweep(): void {
    const wait = this.lastSweep + this.o.sweepMinIntervalMs - Date.now();
    if (wait > 0) this.queue.addAfter('sweep', wait);
    else this.queue.add('sweep');
  }

  private async process(key: string): Promise<void> {
    if (!this.o.isLeader() || !this.started) return;
    const kind = key === 'world' ? 'world' : key === 'sweep' ? 'sweep' : 'status';
    const end = this.o.metrics.reconcileDuration.startTimer({ kind });
    try {
      if (key === 'world') {
        this.lastWorld = Date.now();
        await this.reconcileWorld();
      } else if (key === 'sweep') this.sweep();
      else await this.reconcileStatus(key.slice('status:'.length));
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

  private snapshot(): WorldSnapshot {
    const list = (k: string) => this.crs.get(k)!.list();
    const namespaces = new Map(this.namespaces.list().map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const secrets = new Map(this.secrets.list().map((x) => [keyOf(x), new Set(x.keys as string[])]));
    const cm = this.owned.get('ConfigMap')!.get(this.o.settings.agentName, this.o.settings.namespace);
    // parsed once per ConfigMap content, not once per reconcile (it is megabytes at scale)
    const running = this.memo.runningConfig(
      (cm?.binaryData as Record<string, string> | undefined)?.[AGENT_CONFIG_KEY],
      () => {
        try {
          return JSON.parse(agentConfigText(cm) ?? '') as AgentConfig;
        } catch {
          return undefined;
        }
      },
    );
    return {
      pipelines: [...list('LogPipeline'), ...list('ClusterLogPipeline')],
      outputs: [...list('LogOutput'), ...list('ClusterLogOutput')],
      namespaces,
      secrets,
      ...(running ? { running } : {}),
      ...(this.anchor ? { anchor: this.anchor } : {}),
    };
  }

  private async reconcileWorld(): Promise<void> {
    const world = this.snapshot();
    const refs = new Set<string>();
    for (const o of world.outputs) {
      try {
        for (const r of secretRefs(o as never)) refs.add(`${r.namespace}/${r.name}`);
      } catch {
        // an invalid output: its references do not matter until it is valid
      }
    }
    this.referencedSecrets = refs;
    const desired = computeDesired(world, this.o.settings, this.o.agent, this.memo);
    const compiled = new Map<string, number>();
    for (const o of [...world.pipelines, ...world.outputs])
      compiled.set(resourceId({ kind: o.kind!, metadata: o.metadata }), o.metadata.generation ?? 0);
    this.history.delete(desired.hash);
    this.history.set(desired.hash, desired.fingerprints);
    while (this.history.size > HISTORY) this.history.delete(this.history.keys().next().value!);

    const live = new Map<string, KubeObject>();
    for (const [kind, inf] of this.owned)
      for (const o of inf.list()) {
        const key = ownedKey(kind, o);
        if (!this.unprunable.has(key)) live.set(key, o);
      }
    const res = await applyAndPrune(
      this.o.client,
      this.o.fieldManager,
      desired.objects,
      live,
      (kind, obj, deleted) => {
        const cache = this.owned.get(kind)!.cache;
        if (deleted) cache.delete(keyOf(obj));
        else if (obj?.metadata)
          cache.set(keyOf(obj), { ...withoutManagedFields(obj), apiVersion: rtOf(kind).apiVersion, kind });
      },
    );
    // Only now may statuses say what was decided: the agent objects carry it.
    this.compiledGenerations = compiled;
    this.desired = desired;
    if (this.configInfoHash !== desired.hash) {
      this.o.metrics.configInfo.reset();
      this.o.metrics.configInfo.set({ hash: desired.hash }, 1);
      this.configInfoHash = desired.hash;
    }
    if (res.forbidden.length) {
      for (const key of res.forbidden) this.unprunable.add(key);
      this.o.log('warn', 'left objects of a former agent name that RBAC does not let the operator delete', {
        objects: res.forbidden,
        hint: 'delete them by hand; they grant nothing to the running agents',
      });
    }
    if (res.applied.length || res.pruned.length)
      this.o.log('info', 'agent objects reconciled', {
        configHash: desired.hash,
        applied: res.applied,
        pruned: res.pruned,
      });

    let accepted = 0;
    let rejected = 0;
    let kept = 0;
    const byId = new Map<string, KubeObject>();
    for (const o of [...world.pipelines, ...world.outputs])
      byId.set(resourceId({ kind: o.kind!, metadata: o.metadata }), o);
    for (const [id, st] of [...desired.pipelines, ...desired.outputs]) {
      if ('accepted' in st) {
        if (st.accepted) accepted++;
        else if (st.kept) kept++;
        else rejected++;
      }
      const fp = desired.fingerprints.get(id);
      const last = this.lastStates.get(id);
      if (last && last.fp === fp && deepEqual(last.state, st)) continue;
      this.lastStates.set(id, { state: st, fp });
      const obj = byId.get(id);
      if (obj) this.queue.add(statusKey(obj));
    }
    for (const id of this.lastStates.keys()) if (!byId.has(id)) this.lastStates.delete(id);
    this.o.metrics.pipelines.set({ state: 'accepted' }, accepted);
    this.o.metrics.pipelines.set({ state: 'rejected' }, rejected);
    this.o.metrics.pipelines.set({ state: 'kept' }, kept);
    // Configured counts depend on the new hash: re-check every status once.
    if (res.applied.length) this.requestSweep();
  }

  private sweep(): void {
    this.lastSweep = Date.now();
    for (const inf of this.crs.values()) for (const o of inf.list()) this.queue.add(statusKey(o));
    const next = nextExpiry(this.leases.list(), Date.now());
    if (next !== undefined) this.queue.addAfter('sweep', Math.max(next - Date.now() + 50, 1000));
  }

  private agentReports(now: number): AgentReports {
    // Exact: which Leases are fresh changes only when one changes (which drops the cache) or
    // when the first fresh one expires.
    if (!this.reports || now >= this.reports.until || now < this.reports.at) {
      const leases = this.leases.list();
      this.reports = {
        at: now,
        until: nextExpiry(leases, now) ?? Number.POSITIVE_INFINITY,
        value: aggregateReports(leases, now),
      };
    }
    return this.reports.value;
  }

  private agentCounts(): AgentCounts {
    const ds = this.owned.get('DaemonSet')!.get(this.o.settings.agentName, this.o.settings.namespace);
    const st = (ds?.status ?? {}) as { desiredNumberScheduled?: number; numberReady?: number };
    const desired = st.desiredNumberScheduled ?? 0;
    const ready = st.numberReady ?? 0;
    return ready < desired
      ? { desired, ready, problems: agentPodProblems(this.agentPods.list()) }
      : { desired, ready };
  }

  private async reconcileStatus(k: string): Promise<void> {
    const [kind, key] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
    const inf = this.crs.get(kind)!;
    const [a, b] = key.split('/');
    const obj = b === undefined ? inf.get(a!) : inf.get(b, a);
    const desired = this.desired;
    if (!obj) this.rolloutHeld.delete(k);
    if (!obj || !desired) return;
    const id = resourceId({ kind, metadata: obj.metadata });
    const now = Date.now();
    const reports = this.agentReports(now);
    const generation = obj.metadata.generation ?? 0;
    // Not compiled yet: the world reconcile that compiles it queues this status again.
    if ((this.compiledGenerations.get(id) ?? -1) < generation) return;
    const prev = obj.status as Record<string, unknown> | undefined;
    let want: Record<string, unknown>;
    if (kind === 'LogPipeline' || kind === 'ClusterLogPipeline') {
      const state = desired.pipelines.get(id);
      if (!state) return; // newer than the last world reconcile, which re-queues it
      const fp = desired.fingerprints.get(id);
      let configured = 0;
      if (fp !== undefined)
        for (const [hash, n] of reports.hashes) if (this.history.get(hash)?.get(id) === fp) configured += n;
      want = pipelineStatus({
        generation,
        previous: prev as never,
        state,
        agents: this.agentCounts(),
        configured,
        figures: reports.outputs,
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
        this.queue.addAfter(`status:${statusKeyStr}`, wait);
        return;
      }
    }
    this.rolloutHeld.delete(statusKeyStr);
    if (diff === 'figures') {
      const wait = (this.lastStatusWrite.get(statusKeyStr) ?? 0) + this.o.figuresIntervalMs - now;
      if (wait > 0) {
        this.queue.addAfter(`status:${statusKeyStr}`, wait);
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
    this.emitTransitions(obj, (prev?.conditions as Condition[]) ?? [], want.conditions as Condition[]);
  }

  private emitTransitions(obj: KubeObject, before: Condition[], after: Condition[]): void {
    const get = (l: Condition[], t: string) => l.find((c) => c.type === t);
    const a0 = get(before, CONDITION.Accepted);
    const a1 = get(after, CONDITION.Accepted)!;
    if (a1.status === 'False' && (a0?.status !== 'False' || a0.reason !== a1.reason))
      this.o.events.emit(obj, 'Warning', a1.reason, a1.message);
    else if (a1.status === 'True' && a0?.status === 'False')
      this.o.events.emit(obj, 'Normal', 'Accepted', a1.message);
    const r0 = get(before, CONDITION.Ready);
    const r1 = get(after, CONDITION.Ready)!;
    // Ready again after a not-Ready status was shown (a recovery). A new resource whose first
    // status is Ready gets no Event: at 5,000 pipelines that would be 5,000 creates saying what the
    // status already says.
    if (r1.status === 'True' && r0 !== undefined && r0.status !== 'True')
      this.o.events.emit(obj, 'Normal', 'Ready', r1.message);
    else if (r1.status !== 'True' && r0?.status === 'True' && a1.status === 'True')
      this.o.events.emit(obj, 'Warning', r1.reason, r1.message);
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

export function statusKey(o: KubeObject): string {
  return `status:${o.kind}:${keyOf(o)}`;
}
