// API paths of every kind the operator reads or writes, in one table.
export interface ResourceType {
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

const t = (kind: string, apiVersion: string, plural: string, namespaced: boolean): ResourceType => ({
  kind,
  apiVersion,
  plural,
  namespaced,
});

export const RT = {
  LogPipeline: t('LogPipeline', 'sluice.dev/v1alpha1', 'logpipelines', true),
  ClusterLogPipeline: t('ClusterLogPipeline', 'sluice.dev/v1alpha1', 'clusterlogpipelines', false),
  LogOutput: t('LogOutput', 'sluice.dev/v1alpha1', 'logoutputs', true),
  ClusterLogOutput: t('ClusterLogOutput', 'sluice.dev/v1alpha1', 'clusterlogoutputs', false),
  Secret: t('Secret', 'v1', 'secrets', true),
  Pod: t('Pod', 'v1', 'pods', true),
  Namespace: t('Namespace', 'v1', 'namespaces', false),
  Lease: t('Lease', 'coordination.k8s.io/v1', 'leases', true),
  ConfigMap: t('ConfigMap', 'v1', 'configmaps', true),
  ServiceAccount: t('ServiceAccount', 'v1', 'serviceaccounts', true),
  Service: t('Service', 'v1', 'services', true),
  Event: t('Event', 'v1', 'events', true),
  DaemonSet: t('DaemonSet', 'apps/v1', 'daemonsets', true),
  PodDisruptionBudget: t('PodDisruptionBudget', 'policy/v1', 'poddisruptionbudgets', true),
  NetworkPolicy: t('NetworkPolicy', 'networking.k8s.io/v1', 'networkpolicies', true),
  Role: t('Role', 'rbac.authorization.k8s.io/v1', 'roles', true),
  RoleBinding: t('RoleBinding', 'rbac.authorization.k8s.io/v1', 'rolebindings', true),
  ClusterRole: t('ClusterRole', 'rbac.authorization.k8s.io/v1', 'clusterroles', false),
  ClusterRoleBinding: t('ClusterRoleBinding', 'rbac.authorization.k8s.io/v1', 'clusterrolebindings', false),
  CustomResourceDefinition: t(
    'CustomResourceDefinition',
    'apiextensions.k8s.io/v1',
    'customresourcedefinitions',
    false,
  ),
} as const;

export type KindName = keyof typeof RT;

/** The kinds the operator renders and owns (what prune looks at). */
export const OWNED_KINDS: readonly KindName[] = [
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'DaemonSet',
  'Service',
  'PodDisruptionBudget',
  'NetworkPolicy',
];

export function rtOf(kind: string): ResourceType {
  const r = (RT as Record<string, ResourceType>)[kind];
  if (!r) throw new Error(`unknown kind ${kind}`);
  return r;
}

/** Collection path: all namespaces when `namespace` is undefined. */
export function collectionPath(rt: ResourceType, namespace?: string): string {
  const base = rt.apiVersion.includes('/') ? `/apis/${rt.apiVersion}` : `/api/${rt.apiVersion}`;
  return rt.namespaced && namespace !== undefined
    ? `${base}/namespaces/${namespace}/${rt.plural}`
    : `${base}/${rt.plural}`;
}

export function objectPath(rt: ResourceType, name: string, namespace?: string): string {
  return `${collectionPath(rt, rt.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
}

/** `namespace/name` or `name`: the cache key of an object. */
export function keyOf(o: { metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
