// The world the informers see → what the operator wants: the agent config, the objects to apply,
// and per resource whether it is accepted (and why not). Pure apart from hashing.
//
// Last good config: a pipeline that is rejected now but runs in the live agent ConfigMaps keeps
// its running config (and the outputs it reaches) until it is fixed — read back from the live
// ConfigMaps, so the rule survives operator restarts. The same holds for every pipeline of a
// namespace whose config shard is too big for one ConfigMap (ConfigShardTooLarge, shards.ts). Two exceptions: a pipeline whose output no
// longer admits its namespace (OutputNotAllowed) is dropped at once, because the platform team's
// revocation must win, and one over a namespace cap (OverNamespaceCap), because the platform's
// cap must win too; and a deleted pipeline is gone.
import { createHash } from 'node:crypto';
import { applyBufferBudget } from '../../../contract/agent-config/budget.ts';
import { canonical } from '../../../contract/agent-config/hash.ts';
import { BASE_SHARD, combinedHash, SHARD_LABEL, shardOf } from '../../../contract/agent-config/shards.ts';
import type {
  AgentConfig,
  AgentSettings,
  OutputConfig,
  PipelineConfig,
} from '../../../contract/agent-config/types.ts';
import { REASON, type Rejection } from '../api/conditions.ts';
import { formatBytesApprox as approx } from '../api/units.ts';
import { agentConfig, byLocale } from '../compile/agent-config.ts';
import { type Output, type Pipeline, resourceId } from '../compile/ids.ts';
import { resolve } from '../compile/resolve.ts';
import { type SecretRef, secretRefs } from '../compile/secrets.ts';
import { destinationOf } from '../destinations/index.ts';
import type { KubeObject } from '../kube/client.ts';
import { agentSettingsFor } from '../render/agent-settings.ts';
import { CONFIGMAP_MAX_BYTES } from '../render/configmap.ts';
import { renderAll, type ShardSet } from '../render/index.ts';
import type { RenderSettings } from '../render/settings.ts';
import type { Desired, OutputState, PipelineState, WorldSnapshot } from '../state.ts';
import { enforceCaps } from '../tenancy/enforce.ts';
import { policyOf } from '../tenancy/policy.ts';
import { formatProblem, validateObject } from '../validate/index.ts';
import type { DesiredMemo } from './memo.ts';
import { shardDesired } from './shards.ts';

export const APPLIED_ANNOTATION = 'sluice.dev/applied';

/** What validation sees: the user's object without server-set metadata and status. */
function userObject(o: KubeObject): Record<string, unknown> {
  const m = o.metadata;
  const metadata: Record<string, unknown> = { name: m.name };
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.labels) metadata.labels = m.labels;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata, spec: o.spec };
}

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);

function outputType(o: KubeObject): string {
  return destinationOf(o.spec ?? {}) ?? 'unknown';
}

/** `{secret:{namespace,name,key}}` references inside a compiled output's options. */
function compiledSecretRefs(o: OutputConfig): SecretRef[] {
  const out: SecretRef[] = [];
  const walk = (v: unknown): void => {
    if (v && typeof v === 'object') {
      const s = (v as { secret?: SecretRef }).secret;
      if (s && typeof s === 'object' && typeof s.name === 'string') out.push({ ...s });
      else for (const c of Object.values(v)) walk(c);
    }
  };
  walk(o.options);
  return out;
}

export function computeDesired(
  world: WorldSnapshot,
  settings: RenderSettings,
  agent: AgentSettings | undefined,
  /** Reuse from the previous call (the controller keeps one); the result is the same without it. */
  memo?: DesiredMemo,
): Desired {
  const pipelines: Pipeline[] = [];
  const outputs: Output[] = [];
  const invalid = new Map<string, Rejection>();
  const invalidPipelines = new Map<string, Rejection>();
  const types = new Map<string, string>();
  const seen = new Set<string>();
  const created = new Map<string, string>();
  for (const o of [...world.pipelines, ...world.outputs]) {
    const id = resourceId({ kind: o.kind!, metadata: o.metadata });
    seen.add(id);
    if (o.metadata.creationTimestamp !== undefined) created.set(id, o.metadata.creationTimestamp);
    // (the user object is built only when needed: once per object version with the memo)
    let user: Record<string, unknown> | undefined;
    const userOf = () => {
      user ??= userObject(o);
      return user;
    };
    const r = memo
      ? memo.validate(
          id,
          memo.userKey(o, () => JSON.stringify(userOf())),
          () => validateObject(userOf()),
        )
      : validateObject(userOf());
    if (o.kind === 'LogOutput' || o.kind === 'ClusterLogOutput') types.set(id, outputType(o));
    if (r.status === 'valid') {
      if (r.resource.kind === 'LogPipeline' || r.resource.kind === 'ClusterLogPipeline')
        pipelines.push(r.resource);
      else outputs.push(r.resource);
    } else if (r.status === 'invalid') {
      const rej = {
        reason: REASON.InvalidSpec,
        message: `fix the spec: ${r.problems.map(formatProblem).join('; ')}`,
      };
      if (o.kind === 'LogPipeline' || o.kind === 'ClusterLogPipeline') invalidPipelines.set(id, rej);
      else invalid.set(id, rej);
    }
  }
  const caps = enforceCaps({
    pipelines,
    outputs,
    policy: policyOf(settings.tenancy),
    namespaces: world.namespaces,
    created,
    running: new Set([
      ...(world.running?.pipelines ?? []).map((p) => p.id),
      ...(world.running?.outputs ?? []).map((o) => o.id),
      ...(world.accepted ?? []),
    ]),
  });
  for (const [id, rej] of caps.rejectedPipelines) invalidPipelines.set(id, rej);
  const resolution = resolve({
    pipelines: caps.rejectedPipelines.size
      ? pipelines.filter((p) => !caps.rejectedPipelines.has(resourceId(p)))
      : pipelines,
    outputs,
    invalid,
    capped: caps.rejectedOutputs,
    namespaces: world.namespaces,
    secrets: world.secrets,
  });
  memo?.retain(seen);
  const fresh = agentConfig(resolution, {
    agent: agentSettingsFor(settings, agent),
    namespaces: world.namespaces,
    caps,
    ...(memo ? { memo } : {}),
  });

  const states = new Map<string, PipelineState>();
  for (const [id, a] of resolution.accepted) {
    const note = caps.pipelineCaps.get(id)?.note;
    states.set(id, {
      accepted: true,
      kept: false,
      paused: a.pipeline.spec.paused === true,
      outputIds: a.outputIds,
      ...(note ? { note } : {}),
    });
  }
  const rejections = new Map([...invalidPipelines, ...resolution.rejected]);

  // Last good config of rejected pipelines, from what the agents run now.
  const runningPipelines = new Map((world.running?.pipelines ?? []).map((p) => [p.id, p]));
  const runningOutputs = new Map((world.running?.outputs ?? []).map((o) => [o.id, o]));
  const keptPipelines: PipelineConfig[] = [];
  const extraOutputs = new Map<string, OutputConfig>();
  const freshOutputIds = new Set(fresh.outputs.map((o) => o.id));
  for (const [id, rejection] of rejections) {
    const old = runningPipelines.get(id);
    const keep =
      old !== undefined &&
      rejection.reason !== REASON.OutputNotAllowed &&
      rejection.reason !== REASON.OverNamespaceCap;
    states.set(id, {
      accepted: false,
      rejection,
      kept: keep,
      paused: false,
      outputIds: keep ? old.outputs : [],
    });
    if (!keep) continue;
    keptPipelines.push(old);
    for (const oid of old.outputs) {
      if (freshOutputIds.has(oid)) continue;
      const oc = runningOutputs.get(oid);
      if (oc) extraOutputs.set(oid, oc);
    }
  }
  const whole: AgentConfig = {
    ...fresh,
    // fresh pipelines come sorted by locale already
    pipelines: keptPipelines.length
      ? [...fresh.pipelines, ...keptPipelines].sort((a, b) => byLocale(a.id, b.id))
      : fresh.pipelines,
    // (agentConfig sorts output ids by code unit; the ConfigMap has always listed them by locale)
    outputs: [...fresh.outputs, ...extraOutputs.values()].sort((a, b) => byLocale(a.id, b.id)),
  };
  // One ConfigMap per namespace: a namespace too big for one keeps its last good shard, alone.
  const sharded = shardDesired(whole, {
    ...(settings.configShardMaxBytes !== undefined ? { maxBytes: settings.configShardMaxBytes } : {}),
    ...(world.running ? { running: world.running } : {}),
    ...(memo ? { memo } : {}),
  });
  const config = sharded.config;
  if (sharded.oversized.size) {
    const keptIds = new Map(config.pipelines.map((p) => [p.id, p]));
    for (const [id, st] of states) {
      const ns = shardOf(id);
      const over = sharded.oversized.get(ns);
      if (ns === BASE_SHARD || over === undefined) continue;
      const old = over.kept?.pipelines.find((p) => p.id === id);
      const keep = old !== undefined && keptIds.get(id) === old;
      states.set(id, {
        accepted: false,
        rejection: st.rejection ?? {
          reason: REASON.ConfigShardTooLarge,
          message: `the LogPipelines and LogOutputs of namespace "${ns}" compile to ${approx(over.bytes)} compressed, over the ${approx(settings.configShardMaxBytes ?? CONFIGMAP_MAX_BYTES)} that the namespace's config ConfigMap holds, so no change in this namespace is applied until it fits (other namespaces are not affected): remove LogPipelines of this namespace or merge them (fewer pipelines, shorter lists of values, patterns and fields).`,
        },
        kept: keep,
        paused: false,
        outputIds: keep ? old.outputs : [],
      });
    }
  }

  // Output states: own rejection, and how many pipelines use each.
  const outStates = new Map<string, OutputState>();
  for (const [id, e] of resolution.outputs)
    outStates.set(id, {
      ...(e.rejection ? { rejection: e.rejection } : {}),
      type: types.get(id) ?? 'unknown',
      pipelines: 0,
    });
  for (const [id, rej] of invalid)
    outStates.set(id, { rejection: rej, type: types.get(id) ?? 'unknown', pipelines: 0 });
  for (const p of config.pipelines)
    for (const oid of p.outputs) {
      const s = outStates.get(oid);
      if (s) s.pipelines++;
    }
  // Every agent gets this config, so every agent scales the buffers the same way (budget.ts).
  const budget = applyBufferBudget(config);
  for (const [id, share] of budget.shares) {
    const s = outStates.get(id);
    if (s === undefined || share.granted >= share.asked) continue;
    const t = budget.totals[share.type];
    s.note = `the agents hold its ${share.type} buffer to ${approx(share.granted)} of the ${approx(share.asked)} asked: the outputs of every namespace ask for ${approx(t.asked)} of ${share.type} buffer per node, above the node budget of ${approx(t.budget!)} (agent.bufferBudget), so each gets the same share; with whenFull: dropNewest its drops count as node_buffer_budget`;
  }

  const byOutput = new Map(config.outputs.map((o) => [o.id, o]));
  const fingerprints = new Map<string, string>();
  for (const p of config.pipelines) {
    const outs = p.outputs.map((o) => byOutput.get(o));
    fingerprints.set(p.id, memo ? memo.fingerprint(p, outs, () => sha([p, outs])) : sha([p, outs]));
  }

  // What an agent must run for each pipeline: its own block and its outputs', each in its shard.
  const items = new Map<string, string>();
  const itemFp = (v: object) =>
    memo ? memo.itemFingerprint(v) : createHash('sha256').update(canonical(v)).digest('hex').slice(0, 16);
  for (const p of config.pipelines) items.set(p.id, itemFp(p));
  for (const o of config.outputs) items.set(o.id, itemFp(o));
  const needs = new Map<string, string[]>();
  for (const p of config.pipelines) needs.set(p.id, [p.id, ...p.outputs]);

  const hashes = new Map([...sharded.shards].map(([k, v]) => [k, v.hash]));
  const hash = combinedHash(hashes);
  if (memo) memo.retainShards(new Set(sharded.shards.keys()));
  const objects =
    config.pipelines.length === 0
      ? []
      : renderObjects(world, settings, config, sharded.shards, resolution.outputs, memo);
  return {
    config,
    hash,
    shards: sharded.shards,
    objects,
    pipelines: states,
    outputs: outStates,
    fingerprints,
    items,
    needs,
  };
}

function renderObjects(
  world: WorldSnapshot,
  settings: RenderSettings,
  config: AgentConfig,
  shards: ShardSet,
  outputs: Map<string, { output: Output }>,
  memo: DesiredMemo | undefined,
): Record<string, unknown>[] {
  // Secret refs of every output in the config; owners of the per-namespace secret Roles are the
  // outputs that reference Secrets there, so deleting them revokes access even without us.
  const refs: SecretRef[] = [];
  const owners = new Map<string, Map<string, Record<string, unknown>>>();
  const uids = new Map<string, KubeObject>();
  for (const o of world.outputs) uids.set(resourceId({ kind: o.kind!, metadata: o.metadata }), o);
  for (const oc of config.outputs) {
    const live = outputs.get(oc.id)?.output;
    const r = live ? secretRefs(live) : compiledSecretRefs(oc);
    refs.push(...r);
    const obj = uids.get(oc.id);
    if (!obj?.metadata.uid) continue;
    for (const ref of r) {
      if (obj.kind === 'LogOutput' && obj.metadata.namespace !== ref.namespace) continue;
      if (!owners.has(ref.namespace)) owners.set(ref.namespace, new Map());
      owners.get(ref.namespace)!.set(obj.metadata.uid, {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
      });
    }
  }
  const objects = renderAll({
    settings,
    config,
    secretRefs: refs,
    shards,
  });
  for (const o of objects) {
    const meta = o.metadata as {
      name: string;
      namespace?: string;
      ownerReferences?: unknown[];
      annotations?: Record<string, string>;
    };
    const isSecretRole =
      meta.name === `${settings.agentName}-secrets` && meta.namespace !== settings.namespace;
    const ownerList = isSecretRole
      ? [...(owners.get(meta.namespace!)?.values() ?? [])].sort((a, b) =>
          String(a.uid).localeCompare(String(b.uid)),
        )
      : world.anchor
        ? [world.anchor]
        : [];
    if (ownerList.length)
      meta.ownerReferences = ownerList.map((r) => ({ ...r, blockOwnerDeletion: false, controller: false }));
    // A shard's ConfigMap is the same object while its hash is: hashed once, not per reconcile.
    const key = (o.metadata as { labels?: Record<string, string> }).labels?.[SHARD_LABEL];
    const applied =
      memo && key !== undefined && o.kind === 'ConfigMap'
        ? memo.appliedSha(key, shards.get(key)!.hash, () => sha(o))
        : sha(o);
    meta.annotations = { ...(meta.annotations ?? {}), [APPLIED_ANNOTATION]: applied };
  }
  return objects;
}
