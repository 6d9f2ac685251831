// The world reconcile: compile every pipeline and output from the informer caches into the agent
// config (desired.ts, memoised), apply the rendered agent objects that changed and prune the ones
// no longer rendered, then queue the status of each resource whose decided state changed. It keeps
// what the status reconcile reads back: the last decision, the generations it was compiled from,
// and which item fingerprints each recent hash of each config shard carried.

import {
  BASE_SHARD,
  mergeShards,
  SHARD_DATA_KEY,
  SHARD_LABEL,
  shardOf,
} from '../../../contract/agent-config/shards.ts';
import type { AgentConfig, AgentSettings } from '../../../contract/agent-config/types.ts';
import { resourceId } from '../compile/ids.ts';
import { secretRefs } from '../compile/secrets.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { withoutManagedFields } from '../kube/informer.ts';
import { keyOf, objectPath, RT, rtOf } from '../kube/resources.ts';
import type { OperatorMetrics } from '../ops/metrics.ts';
import { AGENT_CONFIG_KEY, agentConfigText } from '../render/configmap.ts';
import type { RenderSettings } from '../render/settings.ts';
import type { ShardSet } from '../render/shards.ts';
import type { Desired, OutputState, PipelineState, WorldSnapshot } from '../state.ts';
import { deepEqual } from '../status/compute.ts';
import { policyOf } from '../tenancy/policy.ts';
import { applyAndPrune, ownedKey } from './apply.ts';
import { computeDesired } from './desired.ts';
import type { Informers } from './informers.ts';
import { DesiredMemo } from './memo.ts';

/** How many hashes of each shard `runs` remembers (agents a few changes behind still count as behind, not unknown). */
const HISTORY = 8;

export interface WorldOptions {
  client: KubeClient;
  settings: RenderSettings;
  agent?: AgentSettings;
  fieldManager: string;
  metrics: OperatorMetrics;
  log: (level: 'info' | 'warn', msg: string, extra?: object) => void;
  informers: Informers;
  /** Queue this resource's status: what was decided for it changed. */
  status(obj: KubeObject): void;
  /** Queue a sweep of every status. */
  sweep(): void;
}

export class WorldReconciler {
  private readonly o: WorldOptions;
  private readonly memo = new DesiredMemo();
  private current: Desired | undefined;
  /**
   * The generation of each resource the current `desired` was compiled from. A spec change queues
   * the resource's status at once, but until the next world reconcile compiles it, `desired` (and
   * the agents' "configured" count) still describe the previous generation: its status must not
   * claim the new one.
   */
  private compiledGenerations = new Map<string, number>();
  /**
   * shard key → shard hash → item id → fingerprint, for "which agents run this pipeline's config":
   * an agent reports the hash of each shard it runs.
   */
  private readonly history = new Map<string, Map<string, Map<string, string>>>();
  /** Per resource, the decided state and fingerprint its status was last queued for. */
  private readonly lastStates = new Map<
    string,
    { state: PipelineState | OutputState; fp: string | undefined }
  >();
  private configInfoHash = '';
  /** Secrets (`namespace/name`) the outputs refer to: a change of another Secret changes nothing. */
  referencedSecrets = new Set<string>();
  private anchor: WorldSnapshot['anchor'];
  /** Owned objects no longer rendered that RBAC forbids deleting (tried once, logged once). */
  private readonly unprunable = new Set<string>();

  constructor(o: WorldOptions) {
    this.o = o;
  }

  /** What the last world reconcile decided, set only once its agent objects were applied. */
  get desired(): Desired | undefined {
    return this.current;
  }

  /** The generation of the resource that `desired` was compiled from; -1 when not compiled. */
  compiledGeneration(id: string): number {
    return this.compiledGenerations.get(id) ?? -1;
  }

  /**
   * Whether an agent that runs these shard hashes (shard key → hash) runs every item (a pipeline
   * and its outputs) with these fingerprints, as far as the remembered hashes tell.
   */
  runs(agent: Map<string, string>, needs: string[], items: Map<string, string>): boolean {
    for (const id of needs) {
      const key = shardOf(id);
      const hash = agent.get(key);
      const fp = hash === undefined ? undefined : this.history.get(key)?.get(hash)?.get(id);
      if (fp === undefined || fp !== items.get(id)) return false;
    }
    return true;
  }

  private remember(shards: ShardSet, items: Map<string, string>): void {
    for (const [key, shard] of shards) {
      let byHash = this.history.get(key);
      if (byHash === undefined) {
        byHash = new Map();
        this.history.set(key, byHash);
      }
      if (byHash.has(shard.hash)) continue;
      const fps = new Map<string, string>();
      for (const x of [...shard.config.pipelines, ...shard.config.outputs]) {
        const fp = items.get(x.id);
        if (fp !== undefined) fps.set(x.id, fp);
      }
      byHash.set(shard.hash, fps);
      while (byHash.size > HISTORY) byHash.delete(byHash.keys().next().value!);
    }
    for (const key of this.history.keys()) if (!shards.has(key)) this.history.delete(key);
  }

  /** Queue every resource's status again after the next reconcile (leadership began). */
  forgetLastStates(): void {
    this.lastStates.clear();
  }

  /**
   * The owner of the agent objects: the operator's own ClusterRole, installed and uninstalled with
   * it. Uninstalling the operator then garbage-collects the agents (and their RBAC, ConfigMap...)
   * instead of leaving them shipping unmanaged; a cluster-scoped owner can own objects in any
   * namespace, which a Deployment could not.
   */
  async loadAnchor(): Promise<void> {
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

  private snapshot(): WorldSnapshot {
    const { crs, namespaces: ns, secrets: sec } = this.o.informers;
    const list = (k: string) => crs.get(k)!.list();
    const namespaces = new Map(ns.list().map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const secrets = new Map(sec.list().map((x) => [keyOf(x), new Set(x.keys as string[])]));
    const running = this.runningConfig();
    // What was accepted last time keeps its place under the namespace caps (an unused output is
    // in no running config). Only needed when a policy caps something.
    const prev = this.current;
    const accepted =
      prev && policyOf(this.o.settings.tenancy).active
        ? new Set([
            ...[...prev.pipelines].filter(([, s]) => s.accepted).map(([id]) => id),
            ...[...prev.outputs].filter(([, s]) => !s.rejection).map(([id]) => id),
          ])
        : undefined;
    return {
      pipelines: [...list('LogPipeline'), ...list('ClusterLogPipeline')],
      outputs: [...list('LogOutput'), ...list('ClusterLogOutput')],
      namespaces,
      secrets,
      ...(running ? { running } : {}),
      ...(accepted ? { accepted } : {}),
      ...(this.anchor ? { anchor: this.anchor } : {}),
    };
  }

  /** An ownedKey of a namespace shard ConfigMap (`ConfigMap:<ns>/<agent>-ns-<namespace>`). */
  private isShardKey(key: string): boolean {
    return key.startsWith(`ConfigMap:${this.o.settings.namespace}/${this.o.settings.agentName}-ns-`);
  }

  /**
   * What the agents run now: the live base ConfigMap and shards, merged. Each is parsed once per
   * content, not once per reconcile (and not at all when it carries what this operator applied).
   */
  private runningConfig(): AgentConfig | undefined {
    const s = this.o.settings;
    const parse = (cm: KubeObject) => () => {
      try {
        return JSON.parse(agentConfigText(cm) ?? '') as AgentConfig;
      } catch {
        return undefined;
      }
    };
    const data = (cm: KubeObject, k: string) => (cm.binaryData as Record<string, string> | undefined)?.[k];
    const cms = this.o.informers.owned.get('ConfigMap')!.list();
    const baseCm = cms.find((c) => c.metadata.name === s.agentName && c.metadata.namespace === s.namespace);
    const base = baseCm
      ? this.memo.runningConfig(
          baseCm.metadata.name,
          BASE_SHARD,
          data(baseCm, AGENT_CONFIG_KEY),
          parse(baseCm),
        )
      : undefined;
    const names = new Set<string>();
    const shards: AgentConfig[] = [];
    for (const cm of cms) {
      const key = cm.metadata.labels?.[SHARD_LABEL];
      if (key === undefined || cm.metadata.namespace !== s.namespace) continue;
      names.add(cm.metadata.name);
      const c = this.memo.runningConfig(cm.metadata.name, key, data(cm, SHARD_DATA_KEY), parse(cm));
      if (c !== undefined) shards.push(c);
    }
    if (baseCm) names.add(baseCm.metadata.name);
    this.memo.retainRunning(names);
    if (base === undefined && shards.length === 0) return undefined;
    return mergeShards(base ?? { apiVersion: 'agent.sluice.dev/v1', pipelines: [], outputs: [] }, shards);
  }

  async reconcile(): Promise<void> {
    const { owned } = this.o.informers;
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
    this.remember(desired.shards, desired.items);

    const live = new Map<string, KubeObject>();
    for (const [kind, inf] of owned)
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
        const cache = owned.get(kind)!.cache;
        if (deleted) cache.delete(keyOf(obj));
        else if (obj?.metadata)
          cache.set(keyOf(obj), { ...withoutManagedFields(obj), apiVersion: rtOf(kind).apiVersion, kind });
      },
    );
    // Only now may statuses say what was decided: the agent objects carry it.
    this.compiledGenerations = compiled;
    this.current = desired;
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
      if (obj) this.o.status(obj);
    }
    for (const id of this.lastStates.keys()) if (!byId.has(id)) this.lastStates.delete(id);
    this.o.metrics.pipelines.set({ state: 'accepted' }, accepted);
    this.o.metrics.pipelines.set({ state: 'rejected' }, rejected);
    this.o.metrics.pipelines.set({ state: 'kept' }, kept);
    // Configured counts depend on the new hashes: re-check every status once — unless only
    // namespace shards were applied, whose pipelines with a new fingerprint are queued above
    // (the others run the same blocks under the new hash, so their counts stay).
    if (res.applied.some((k) => !this.isShardKey(k))) this.o.sweep();
  }
}
