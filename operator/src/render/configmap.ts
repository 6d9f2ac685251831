// The agent ConfigMap: the compiled config of every accepted pipeline, as JSON. Secret values
// never appear here, only references that the agent resolves through the API at run time.
import { CONFIG_HASH_ANNOTATION, meta } from './meta.ts';
import type { RenderSettings } from './settings.ts';

export function renderAgentConfigMap(
  s: RenderSettings,
  configJson: string,
  configHash: string,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...meta(s, s.agentName), annotations: { [CONFIG_HASH_ANNOTATION]: configHash } },
    data: { 'agent.json': configJson },
  };
}
