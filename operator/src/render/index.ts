// Everything the operator applies, from the compiled agent config and the install settings.
// Pure: same input, same objects, in a stable order — golden files pin the result.

import { configHash } from '../../../contract/agent-config/hash.ts';
import type { AgentConfig } from '../../../contract/agent-config/types.ts';
import type { SecretRef } from '../compile/secrets.ts';
import { encodeAgentConfig, renderAgentConfigMap } from './configmap.ts';
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

export { AGENT_PATHS, agentSettingsFor } from './agent-settings.ts';
export { AGENT_CONFIG_KEY, agentConfigText, encodeAgentConfig } from './configmap.ts';
export { CONFIG_HASH_ANNOTATION, FIELD_MANAGER, MANAGED_BY } from './meta.ts';
export { defaultSettings, type RenderSettings } from './settings.ts';

export interface RenderInput {
  settings: RenderSettings;
  config: AgentConfig;
  secretRefs: SecretRef[];
  /** configHash(config), when the caller has it already (it is costly for thousands of pipelines). */
  configHash?: string;
  /** encodeAgentConfig of the config's JSON, when the caller has it already (same config, same bytes). */
  configData?: string;
}

/** The JSON the agent ConfigMap carries for a config (before encodeAgentConfig). */
export const agentConfigJson = (config: AgentConfig): string => `${JSON.stringify(config)}\n`;

export function renderAll(input: RenderInput): Record<string, unknown>[] {
  const { settings: s } = input;
  // The same hash the agents compute over the config they load and report back.
  const hash = input.configHash ?? configHash(input.config);
  return [
    renderAgentServiceAccount(s),
    renderAgentClusterRole(s),
    renderAgentClusterRoleBinding(s),
    ...renderAgentStatusRole(s),
    ...renderSecretRoles(s, input.secretRefs),
    renderAgentConfigMap(s, input.configData ?? encodeAgentConfig(agentConfigJson(input.config)), hash),
    renderAgentDaemonSet(s, hash),
    renderAgentService(s),
    renderAgentPdb(s),
    renderAgentNetworkPolicy(s),
  ];
}
