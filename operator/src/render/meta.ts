// Labels, names and ownership stamped on every object the operator renders, in one place. The
// `managed-by` label is how the operator finds what to prune.
import type { RenderSettings } from './settings.ts';

export const MANAGED_BY = 'sluice-operator';
export const FIELD_MANAGER = 'sluice-operator';
export const CONFIG_HASH_ANNOTATION = 'sluice.dev/config-hash';
export const SECRETS_HASH_ANNOTATION = 'sluice.dev/secret-refs-hash';

export function agentSelectorLabels(s: RenderSettings): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'sluice',
    'app.kubernetes.io/component': 'agent',
    'app.kubernetes.io/instance': s.agentName,
  };
}

export function labels(s: RenderSettings): Record<string, string> {
  return {
    ...s.commonLabels,
    ...agentSelectorLabels(s),
    'app.kubernetes.io/part-of': 'sluice',
    'app.kubernetes.io/version': s.version,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** `namespace: null` for cluster-scoped objects. */
export function meta(
  s: RenderSettings,
  name: string,
  namespace: string | null = s.namespace,
): Record<string, unknown> {
  return namespace === null ? { name, labels: labels(s) } : { name, namespace, labels: labels(s) };
}
