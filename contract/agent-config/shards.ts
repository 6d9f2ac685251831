// The agent config in shards: the base (agent settings, ClusterLogPipelines, ClusterLogOutputs)
// and one shard per namespace (its LogPipelines and LogOutputs). Each is a whole AgentConfig
// document (the same schema; a shard has no `agent` settings), so one namespace's size never
// decides whether another namespace's change fits in its object: the operator writes each shard
// into its own ConfigMap, the agent merges what it has loaded (agent/src/config/shards.ts).
// Every pipeline and output lives in exactly one shard, found from its id alone.
import { createHash } from 'node:crypto';
import type { AgentConfig, OutputConfig, PipelineConfig } from './types.ts';

/** The base shard's key; a namespace shard's key is its namespace. */
export const BASE_SHARD = '';
/** Label of a shard ConfigMap, its value the namespace. */
export const SHARD_LABEL = 'sluice.dev/config-shard';
/** The binaryData key of a shard ConfigMap: its AgentConfig as gzip-compressed JSON. */
export const SHARD_DATA_KEY = 'config.json.gz';
/** The hash of a shard's config (configHash), stamped on its ConfigMap. */
export const SHARD_HASH_ANNOTATION = 'sluice.dev/config-hash';

/** The shard of a pipeline or output id: `LogPipeline/<ns>/<name>` and `LogOutput/<ns>/<name>` go to `<ns>`. */
export function shardOf(id: string): string {
  if (!id.startsWith('LogPipeline/') && !id.startsWith('LogOutput/')) return BASE_SHARD;
  const a = id.indexOf('/');
  return id.slice(a + 1, id.indexOf('/', a + 1));
}

/** Split a whole config into the base and one config per namespace (items keep their order). */
export function splitConfig(config: AgentConfig): { base: AgentConfig; shards: Map<string, AgentConfig> } {
  const base: AgentConfig = { ...config, pipelines: [], outputs: [] };
  const shards = new Map<string, AgentConfig>();
  const into = (id: string): AgentConfig => {
    const key = shardOf(id);
    if (key === BASE_SHARD) return base;
    let s = shards.get(key);
    if (s === undefined) {
      s = { apiVersion: config.apiVersion, pipelines: [], outputs: [] };
      shards.set(key, s);
    }
    return s;
  };
  for (const p of config.pipelines ?? []) into(p.id).pipelines.push(p);
  for (const o of config.outputs ?? []) into(o.id).outputs.push(o);
  return { base, shards };
}

/** The config the agent runs: the base's settings, every shard's pipelines and outputs. */
export function mergeShards(base: AgentConfig, shards: Iterable<AgentConfig>): AgentConfig {
  const pipelines: PipelineConfig[] = [...base.pipelines];
  const outputs: OutputConfig[] = [...base.outputs];
  for (const s of shards) {
    for (const p of s.pipelines) pipelines.push(p);
    for (const o of s.outputs) outputs.push(o);
  }
  return { ...base, pipelines, outputs };
}

/**
 * One hash for a set of loaded shards (the base's hash and each namespace's), for /status and the
 * sluice_config_info metric: 16 hex digits like configHash.
 */
export function combinedHash(hashes: Map<string, string>): string {
  const h = createHash('sha256');
  for (const k of [...hashes.keys()].sort()) h.update(`${k}\0${hashes.get(k)}\n`);
  return h.digest('hex').slice(0, 16);
}
