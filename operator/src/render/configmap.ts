// The agent ConfigMaps: the base (`sluice-agent`, mounted into the DaemonSet: agent settings,
// ClusterLogPipelines, ClusterLogOutputs) and one shard per namespace (`sluice-agent-ns-<ns>`, read
// by the agents through the apiserver: that namespace's LogPipelines and LogOutputs). Each carries
// its config as gzip-compressed JSON in binaryData (a ConfigMap holds at most 1 MiB; JSON of
// thousands of pipelines compresses ~50 times); the agent detects gzip by its magic bytes. Secret
// values never appear here, only references that the agent resolves through the API at run time.
// Read them with
//   kubectl get cm sluice-agent -o jsonpath='{.binaryData.agent\.json\.gz}' | base64 -d | gunzip
//   kubectl get cm sluice-agent-ns-shop -o jsonpath='{.binaryData.config\.json\.gz}' | base64 -d | gunzip
import { gunzipSync, gzipSync } from 'node:zlib';
import { SHARD_DATA_KEY, SHARD_HASH_ANNOTATION, SHARD_LABEL } from '../../../contract/agent-config/shards.ts';
import { CONFIG_HASH_ANNOTATION, meta } from './meta.ts';
import type { RenderSettings } from './settings.ts';

export const AGENT_CONFIG_KEY = 'agent.json.gz';
/** What the apiserver accepts for a whole ConfigMap, with room for metadata. */
export const CONFIGMAP_MAX_BYTES = 1_000_000;

/** A config's JSON, gzipped, base64: what a ConfigMap's `binaryData` carries. */
export function gzipConfig(configJson: string): string {
  // gzip output is deterministic for the same input (no name, mtime 0): unchanged config, unchanged bytes.
  return gzipSync(configJson, { level: 6 }).toString('base64');
}

/** The base ConfigMap's `binaryData` value for a compiled config; throws past the ConfigMap limit. */
export function encodeAgentConfig(configJson: string, maxBytes = CONFIGMAP_MAX_BYTES): string {
  const data = gzipConfig(configJson);
  if (data.length > maxBytes)
    throw new Error(
      `the agent's base config (agent settings, ClusterLogPipelines and ClusterLogOutputs) is ${data.length} bytes compressed, over the ${maxBytes}-byte ConfigMap limit: merge ClusterLogPipelines with identical outputs or split them over several operator installations`,
    );
  return data;
}

/** The name of a namespace's shard ConfigMap. */
export const shardConfigMapName = (s: RenderSettings, namespace: string) => `${s.agentName}-ns-${namespace}`;

/** The label selector of this install's shard ConfigMaps (the agents list and watch them). */
export const shardSelector = (s: RenderSettings) =>
  `${SHARD_LABEL},app.kubernetes.io/instance=${s.agentName}`;

/** `data` is encodeAgentConfig(the config's JSON). */
export function renderAgentConfigMap(
  s: RenderSettings,
  data: string,
  configHash: string,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...meta(s, s.agentName), annotations: { [CONFIG_HASH_ANNOTATION]: configHash } },
    binaryData: { [AGENT_CONFIG_KEY]: data },
  };
}

/** A namespace's shard; `data` is gzipConfig(the shard's JSON). */
export function renderShardConfigMap(
  s: RenderSettings,
  namespace: string,
  data: string,
  hash: string,
): Record<string, unknown> {
  const m = meta(s, shardConfigMapName(s, namespace)) as { labels: Record<string, string> };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      ...m,
      labels: { ...m.labels, [SHARD_LABEL]: namespace },
      annotations: { [SHARD_HASH_ANNOTATION]: hash },
    },
    binaryData: { [SHARD_DATA_KEY]: data },
  };
}

/** The config JSON a rendered or live agent ConfigMap (base or shard) carries; undefined when absent or unreadable. */
export function agentConfigText(cm: object | undefined): string | undefined {
  const bin = (cm as { binaryData?: Record<string, string> } | undefined)?.binaryData;
  const b64 = bin?.[AGENT_CONFIG_KEY] ?? bin?.[SHARD_DATA_KEY];
  if (!b64) return undefined;
  try {
    return gunzipSync(Buffer.from(b64, 'base64')).toString('utf8');
  } catch {
    return undefined;
  }
}
