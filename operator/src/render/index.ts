// Everything the operator applies, from the compiled agent config and the install settings.
// Pure: same input, same objects, in a stable order — golden files pin the result.

import { BASE_SHARD } from '../../../contract/agent-config/shards.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import type { SecretRef } from '../compile/secrets.ts';
import { renderAgentConfigMap, renderShardConfigMap } from './configmap.ts';
import { renderAgentDaemonSet } from './daemonset.ts';
import { renderAgentNetworkPolicy, renderAgentPdb, renderAgentService } from './network.ts';
import {
  renderAgentClusterRole,
  renderAgentClusterRoleBinding,
  renderAgentServiceAccount,
  renderAgentStatusRole,
  renderSecretRoles,
} from './rbac.ts';
import type { RenderSettings } from './settings.ts';
import { type ShardSet, shardSet } from './shards.ts';

export { AGENT_PATHS, agentSettingsFor } from './agent-settings.ts';
export {
  AGENT_CONFIG_KEY,
  agentConfigText,
  encodeAgentConfig,
  shardConfigMapName,
  shardSelector,
} from './configmap.ts';
export { CONFIG_HASH_ANNOTATION, FIELD_MANAGER, MANAGED_BY } from './meta.ts';
export { defaultSettings, type RenderSettings } from './settings.ts';
export { agentConfigJson, type Shard, type ShardSet, shardSet } from './shards.ts';

export interface RenderInput {
  settings: RenderSettings;
  config: AgentConfig;
  secretRefs: SecretRef[];
  /** shardSet(config), when the caller has it already (the controller keeps it incrementally). */
  shards?: ShardSet;
}

export function renderAll(input: RenderInput): Record<string, unknown>[] {
  const { settings: s } = input;
  const shards = input.shards ?? shardSet(input.config);
  // The same hash the agents compute over the base config they load and report back.
  const base = shards.get(BASE_SHARD)!;
  const namespaces = [...shards.keys()].filter((k) => k !== BASE_SHARD).sort();
  return [
    renderAgentServiceAccount(s),
    renderAgentClusterRole(s),
    renderAgentClusterRoleBinding(s),
    ...renderAgentStatusRole(s),
    ...renderSecretRoles(s, input.secretRefs),
    renderAgentConfigMap(s, base.data, base.hash),
    ...namespaces.map((ns) => {
      const sh = shards.get(ns)!;
      return renderShardConfigMap(s, ns, sh.data, sh.hash);
    }),
    renderAgentDaemonSet(s, base.hash),
    renderAgentService(s),
    renderAgentPdb(s),
    renderAgentNetworkPolicy(s),
  ];
}
