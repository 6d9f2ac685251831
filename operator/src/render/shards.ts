// The agent config as the ConfigMaps carry it: split into the base and one shard per namespace
// (contract/agent-config/shards.ts), each with its hash and its compressed bytes. Pure; the
// controller builds the same set incrementally (controller/shards.ts), encoding only shards that
// changed.
import { configHash } from '../../../contract/agent-config/hash.ts';
import { BASE_SHARD, splitConfig } from '../../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import { encodeAgentConfig, gzipConfig } from './configmap.ts';

export interface Shard {
  config: AgentConfig;
  /** configHash(config): what the agents report once they run it. */
  hash: string;
  /** gzipConfig(JSON of config), base64. */
  data: string;
}

/** Shards by key: BASE_SHARD ('') and each namespace. */
export type ShardSet = Map<string, Shard>;

/** The JSON a ConfigMap carries for a config (before compression). */
export const agentConfigJson = (config: AgentConfig): string => `${JSON.stringify(config)}\n`;

/** Every shard of a config, encoded (the base within the ConfigMap limit, or this throws). */
export function shardSet(config: AgentConfig): ShardSet {
  const { base, shards } = splitConfig(config);
  const out: ShardSet = new Map();
  out.set(BASE_SHARD, {
    config: base,
    hash: configHash(base),
    data: encodeAgentConfig(agentConfigJson(base)),
  });
  for (const key of [...shards.keys()].sort()) {
    const c = shards.get(key)!;
    out.set(key, { config: c, hash: configHash(c), data: gzipConfig(agentConfigJson(c)) });
  }
  return out;
}
