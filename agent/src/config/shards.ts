// The per-namespace config shards (contract/agent-config/shards.ts): ConfigMaps in the agent's
// namespace, selected by label, each an agent config of one namespace's pipelines and outputs. A
// pod cannot mount a changing set of ConfigMaps without a rollout, so the agent lists and watches
// them through the apiserver (the small client of contract/kube/, under a Role that reads
// ConfigMaps of its own namespace only) and the base config file stays mounted. List, then watch
// from the list's resourceVersion; on any end or error, re-list after a capped backoff. A shard
// that does not decode or validate is skipped, its last loaded version keeps running.
import { gunzipSync } from 'node:zlib';
import { configHash } from '../../../contract/agent-config/hash.ts';
import {
  BASE_SHARD,
  mergeShards,
  SHARD_DATA_KEY,
  SHARD_LABEL,
  shardOf,
} from '../../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import type { KubeClient, KubeObject } from '../../../contract/kube/client.ts';
import { type ConfigProblem, validateAgentConfig } from './validate.ts';

type Log = (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;

export interface LoadedShard {
  config: AgentConfig;
  hash: string;
}

/** A shard ConfigMap's config, validated; the problems otherwise. */
export function decodeShard(
  cm: KubeObject,
):
  | { ok: true; key: string; shard: LoadedShard }
  | { ok: false; key: string | undefined; problems: ConfigProblem[] } {
  const key = cm.metadata.labels?.[SHARD_LABEL];
  const fail = (message: string) => ({ ok: false as const, key, problems: [{ path: '/', message }] });
  if (!key) return fail(`ConfigMap ${cm.metadata.name} has no ${SHARD_LABEL} label`);
  const b64 = (cm.binaryData as Record<string, string> | undefined)?.[SHARD_DATA_KEY];
  if (!b64) return fail(`ConfigMap ${cm.metadata.name} has no binaryData["${SHARD_DATA_KEY}"]`);
  let doc: unknown;
  try {
    doc = JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8'));
  } catch (e) {
    return fail(`ConfigMap ${cm.metadata.name}: not gzip-compressed JSON: ${(e as Error).message}`);
  }
  // References to the base's outputs (ClusterLogOutputs) are checked when the shards are merged.
  const r = validateAgentConfig(doc, (id) => shardOf(id) === BASE_SHARD);
  if (!r.ok) return { ok: false, key, problems: r.problems };
  // A shard holds its own namespace's pipelines and outputs and no agent settings, so no shard
  // can stand in for another namespace's resources or change how the agent runs.
  if (r.config.agent !== undefined)
    return fail(`shard ${key} carries agent settings; only the base config may`);
  for (const x of [...r.config.pipelines, ...r.config.outputs])
    if (shardOf(x.id) !== key) return fail(`shard ${key} carries ${x.id}, which belongs to another shard`);
  return { ok: true, key, shard: { config: r.config, hash: configHash(r.config) } };
}

export interface ShardWatchOptions {
  client: KubeClient;
  namespace: string;
  labelSelector: string;
  log: Log;
  /** Shards changed (added, updated, deleted): the current set, by key. */
  onChange: (shards: Map<string, LoadedShard>) => void;
  /** A shard was refused (the previous version of it keeps running). */
  onRejected?: (key: string | undefined, problems: ConfigProblem[]) => void;
}

/** Starts watching; resolves with a stop function once the first list is loaded (or after `initialWaitMs`). */
export async function watchShards(o: ShardWatchOptions, initialWaitMs = 10_000): Promise<() => void> {
  const path = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/configmaps`;
  const shards = new Map<string, LoadedShard>();
  /** ConfigMap name → shard key, to forget a deleted one. */
  const names = new Map<string, string>();
  /** Refusals already logged, by ConfigMap name and resourceVersion. */
  const refused = new Set<string>();
  let stopped = false;
  let ac: AbortController | undefined;
  let listed: () => void = () => {};
  const firstList = new Promise<void>((r) => {
    listed = r;
  });

  const take = (cm: KubeObject): boolean => {
    const r = decodeShard(cm);
    if (!r.ok) {
      const tag = `${cm.metadata.name}@${cm.metadata.resourceVersion}`;
      if (!refused.has(tag)) {
        refused.add(tag);
        o.onRejected?.(r.key, r.problems);
      }
      return false;
    }
    names.set(cm.metadata.name, r.key);
    if (shards.get(r.key)?.hash === r.shard.hash) return false;
    shards.set(r.key, r.shard);
    return true;
  };
  const drop = (name: string): boolean => {
    const key = names.get(name);
    names.delete(name);
    return key !== undefined && shards.delete(key);
  };

  const loop = async () => {
    let attempt = 0;
    while (!stopped) {
      try {
        const list = await o.client.request<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }>(
          'GET',
          path,
          { query: { labelSelector: o.labelSelector } },
        );
        let changed = false;
        const present = new Set(list.items.map((c) => c.metadata.name));
        for (const name of [...names.keys()]) if (!present.has(name)) changed = drop(name) || changed;
        for (const cm of list.items) changed = take(cm) || changed;
        if (changed) o.onChange(new Map(shards));
        listed();
        attempt = 0;
        ac = new AbortController();
        try {
          await o.client.watch(
            path,
            {
              resourceVersion: list.metadata?.resourceVersion,
              allowWatchBookmarks: true,
              labelSelector: o.labelSelector,
            },
            (phase, cm) => {
              // An ERROR event (e.g. 410 Gone: the resourceVersion is too old) ends this watch: re-list.
              if (phase === 'ERROR') ac?.abort();
              else if (phase === 'DELETED') {
                if (drop(cm.metadata.name)) o.onChange(new Map(shards));
              } else if ((phase === 'ADDED' || phase === 'MODIFIED') && take(cm)) o.onChange(new Map(shards));
            },
            ac.signal,
          );
        } catch (e) {
          if (!ac.signal.aborted) throw e;
        }
      } catch (e) {
        o.log('warn', 'config shard watch failed; retrying', { err: (e as Error).message, attempt });
      }
      if (stopped) break;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt++, 6));
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)).unref());
    }
  };
  void loop();
  let t: NodeJS.Timeout | undefined;
  await Promise.race([firstList, new Promise<void>((r) => (t = setTimeout(r, initialWaitMs)))]);
  clearTimeout(t);
  return () => {
    stopped = true;
    ac?.abort();
  };
}

/**
 * The config to run: the base and every loaded shard. A shard pipeline whose output the base no
 * longer defines (a ClusterLogOutput just removed, before the operator rewrote the shard) waits
 * for the next shard version instead of failing the whole config; it is reported in `skipped`.
 */
export function mergeLoaded(
  base: AgentConfig,
  shards: Map<string, LoadedShard>,
): { config: AgentConfig; skipped: string[] } {
  const merged = mergeShards(
    base,
    [...shards.keys()].sort().map((k) => shards.get(k)!.config),
  );
  const all = new Set(merged.outputs.map((o) => o.id));
  const outs = merged.outputs.filter((o) => o.deadLetter === undefined || all.has(o.deadLetter));
  const outputs = new Set(outs.map((o) => o.id));
  const skipped: string[] = [];
  const pipelines = merged.pipelines.filter((p) => {
    const ok = p.outputs.every((o) => outputs.has(o));
    if (!ok) skipped.push(p.id);
    return ok;
  });
  if (outs.length === merged.outputs.length && skipped.length === 0) return { config: merged, skipped };
  return { config: { ...merged, pipelines, outputs: outs }, skipped };
}
