// The desired config split into the ConfigMaps that carry it (contract/agent-config/shards.ts):
// the base and one shard per namespace, each hashed and encoded (only when its hash changed, with
// the memo). A namespace whose shard is over the size of one ConfigMap is not applied: its live
// shard (the last good config of its pipelines and outputs) stays as it is, and the caller gives
// its pipelines the ConfigShardTooLarge condition. No other namespace is affected.
import { configHash } from '../../../contract/agent-config/hash.ts';
import { BASE_SHARD, shardOf, splitConfig } from '../../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import { byLocale } from '../compile/agent-config.ts';
import { CONFIGMAP_MAX_BYTES, encodeAgentConfig, gzipConfig } from '../render/configmap.ts';
import { agentConfigJson, type Shard, type ShardSet } from '../render/shards.ts';
import type { DesiredMemo } from './memo.ts';

export interface ShardDecision {
  /** The whole config the agents run once every shard is loaded (oversized namespaces: their last good shard). */
  config: AgentConfig;
  shards: ShardSet;
  /** Namespaces whose shard did not fit: its compressed size, and the shard that keeps running instead (if any). */
  oversized: Map<string, { bytes: number; kept: AgentConfig | undefined }>;
}

export function shardDesired(
  config: AgentConfig,
  opts: { maxBytes?: number; running?: AgentConfig; memo?: DesiredMemo },
): ShardDecision {
  const max = opts.maxBytes ?? CONFIGMAP_MAX_BYTES;
  const memo = opts.memo;
  const hashOf = (c: AgentConfig, key?: string) =>
    memo ? (key === undefined ? memo.configHash(c) : memo.shardHash(key, c)) : configHash(c);
  const encode = (key: string, c: AgentConfig, hash: string, enc: () => string) =>
    memo ? memo.encoded(key, hash, c, enc) : enc();
  const { base, shards: split } = splitConfig(config);
  const shards: ShardSet = new Map();
  const baseHash = hashOf(base, BASE_SHARD);
  shards.set(BASE_SHARD, {
    config: base,
    hash: baseHash,
    data: encode(BASE_SHARD, base, baseHash, () => encodeAgentConfig(agentConfigJson(base))),
  });
  const oversized = new Map<string, { bytes: number; kept: AgentConfig | undefined }>();
  let runningSplit: Map<string, AgentConfig> | undefined;
  for (const key of [...split.keys()].sort()) {
    const c = split.get(key)!;
    const hash = hashOf(c, key);
    const data = encode(key, c, hash, () => gzipConfig(agentConfigJson(c)));
    if (data.length <= max) {
      shards.set(key, { config: c, hash, data });
      continue;
    }
    runningSplit ??= opts.running ? splitConfig(opts.running).shards : new Map();
    const old = runningSplit.get(key);
    let kept: Shard | undefined;
    if (old !== undefined) {
      const h = hashOf(old);
      const d = gzipConfig(agentConfigJson(old));
      // (a live shard over the limit, e.g. after the limit was lowered, is not kept either)
      if (d.length <= max) kept = { config: old, hash: h, data: d };
    }
    if (kept) shards.set(key, kept);
    oversized.set(key, { bytes: data.length, kept: kept?.config });
  }
  if (oversized.size === 0) return { config, shards, oversized };
  const keep = (id: string) => !oversized.has(shardOf(id));
  const extra = [...oversized.values()].flatMap((o) => (o.kept ? [o.kept] : []));
  return {
    config: {
      ...config,
      pipelines: [...config.pipelines.filter((p) => keep(p.id)), ...extra.flatMap((e) => e.pipelines)].sort(
        (a, b) => byLocale(a.id, b.id),
      ),
      outputs: [...config.outputs.filter((o) => keep(o.id)), ...extra.flatMap((e) => e.outputs)].sort(
        (a, b) => byLocale(a.id, b.id),
      ),
    },
    shards,
    oversized,
  };
}
