// The agent ConfigMap: the compiled config of every accepted pipeline, as gzip-compressed JSON in
// binaryData. Compressed because a ConfigMap holds at most 1 MiB and thousands of pipelines
// compile to several MiB of JSON (5,000 pipelines: 2 MB as JSON, ~40 kB gzipped); the agent
// loader detects gzip by its magic bytes. Secret values never appear here, only references that
// the agent resolves through the API at run time. Read it with
//   kubectl get cm sluice-agent -o jsonpath='{.binaryData.agent\.json\.gz}' | base64 -d | gunzip
import { gunzipSync, gzipSync } from 'node:zlib';
import { CONFIG_HASH_ANNOTATION, meta } from './meta.ts';
import type { RenderSettings } from './settings.ts';

export const AGENT_CONFIG_KEY = 'agent.json.gz';
/** What the apiserver accepts for a whole ConfigMap, with room for metadata. */
export const CONFIGMAP_MAX_BYTES = 1_000_000;

/** The ConfigMap's `binaryData` value for a compiled config: its JSON, gzipped, base64. */
export function encodeAgentConfig(configJson: string): string {
  // gzip output is deterministic for the same input (no name, mtime 0): unchanged config, unchanged bytes.
  const data = gzipSync(configJson, { level: 6 }).toString('base64');
  if (data.length > CONFIGMAP_MAX_BYTES)
    throw new Error(
      `the compiled agent config is ${data.length} bytes compressed, over the ${CONFIGMAP_MAX_BYTES}-byte ConfigMap limit: split the pipelines over several operator installations or merge pipelines with identical outputs`,
    );
  return data;
}

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

/** The config JSON a rendered or live agent ConfigMap carries; undefined when absent or unreadable. */
export function agentConfigText(cm: object | undefined): string | undefined {
  const b64 = (cm as { binaryData?: Record<string, string> } | undefined)?.binaryData?.[AGENT_CONFIG_KEY];
  if (!b64) return undefined;
  try {
    return gunzipSync(Buffer.from(b64, 'base64')).toString('utf8');
  } catch {
    return undefined;
  }
}
