// Labels, names and ownership stamped on every object the operator renders, in one place. The
// `managed-by` label is how the operator finds what to prune.
import type { RenderSettings } from './settings.ts';

export const MANAGED_BY = 'sluice-operator';
export const FIELD_MANAGER = 'sluice-operator';
export const CONFIG_HASH_ANNOTATION = 'sluice.dev/config-hash';
export const SECRETS_HASH_ANNOTATION = 'sluice.dev/secret-refs-hash';
/**
 * Which operator rendered the object (its settings.operatorName). The operator finds what to prune
 * by this label, not by the agent's name: after `agent.name` changes, the objects of the old name
 * are still its own and are pruned, instead of a second DaemonSet shipping everything twice.
 */
export const OPERATOR_LABEL = 'sluice.dev/operator';

/** The label selector of everything this operator renders. */
export const ownedSelector = (s: RenderSettings) =>
  `app.kubernetes.io/managed-by=${MANAGED_BY},${OPERATOR_LABEL}=${s.operatorName}`;

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
    [OPERATOR_LABEL]: s.operatorName,
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
