// Everything the operator applies, from the compiled agent config and the install settings.
// Pure: same input, same objects, in a stable order — golden files pin the result.
import { createHash } from 'node:crypto';
import type { AgentConfig } from '../../../agent/src/config/types.ts';
import type { SecretRef } from '../compile/secrets.ts';
import { renderAgentConfigMap } from './configmap.ts';
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

export { CONFIG_HASH_ANNOTATION, FIELD_MANAGER, MANAGED_BY } from './meta.ts';
export { defaultSettings, type RenderSettings } from './settings.ts';

export interface RenderInput {
  settings: RenderSettings;
  config: AgentConfig;
  secretRefs: SecretRef[];
}

export function configHash(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

export function renderAll(input: RenderInput): Record<string, unknown>[] {
  const { settings: s } = input;
  const json = `${JSON.stringify(input.config, null, 2)}\n`;
  const hash = configHash(json);
  return [
    renderAgentServiceAccount(s),
    renderAgentClusterRole(s),
    renderAgentClusterRoleBinding(s),
    ...renderAgentStatusRole(s),
    ...renderSecretRoles(s, input.secretRefs),
    renderAgentConfigMap(s, json, hash),
    renderAgentDaemonSet(s, hash),
    renderAgentService(s),
    renderAgentPdb(s),
    renderAgentNetworkPolicy(s),
  ];
}
