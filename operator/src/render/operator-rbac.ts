// The operator's own least-privilege RBAC: the single source for the Helm chart's ClusterRole and
// Role and for the e2e tests, which run `sluice operator` under a ServiceAccount bound to exactly
// these rules (a missing permission fails a test, not an install).
//
// Why each rule exists:
// - the four kinds: read them; write only their status subresource.
// - secrets get/list/watch, cluster-wide: the operator must know whether the Secrets that outputs
//   reference exist and hold the named keys (it keeps only key names, never values), and RBAC's
//   escalation check only lets it grant the agent `get/list/watch` on Secrets (per-namespace Roles
//   with resourceNames) if it holds those verbs itself.
// - pods/namespaces get/list/watch and nodes get: the same escalation rule for the agent's
//   ClusterRole (enrichment); namespaces are also watched for allowedNamespaces selectors.
// - roles/rolebindings cluster-wide: the per-namespace Roles that let the agent read exactly the
//   referenced Secrets live in the tenants' namespaces; the informer lists and watches them by
//   label. `create` cannot be limited by name (Kubernetes RBAC), but patch (server-side apply) and
//   delete (prune) are limited to the names the operator renders: `<agent>-secrets` and
//   `<agent>-status`, so it cannot edit or delete anyone else's Roles.
// - clusterroles/clusterrolebindings: the agent's own ClusterRole and binding, patch/delete only
//   by the agent's name. What any Role it creates may grant is bounded by RBAC's escalation check:
//   only permissions the operator holds itself.
// - tokenreviews/subjectaccessreviews create: the same escalation rule for the agent's ClusterRole
//   (`sluice tap`: the agent reviews each caller's token and permission). Neither reads anything
//   stored: a review only answers about the token or user given.
// - events: Kubernetes Events for notable transitions, in the namespace of the resource.
// - clusterroles get on its own ClusterRole: the owner of every agent object it renders, so
//   uninstalling the operator (helm uninstall, kubectl delete -f manifests/) garbage-collects the
//   agents with it instead of leaving them shipping with nobody to manage them.
// - in its own namespace only (Role): the agent's DaemonSet, ConfigMap, ServiceAccount, Service,
//   PodDisruptionBudget and NetworkPolicy; Leases (leader election, and the agents' reports).
import type { RenderSettings } from './settings.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const READ = ['get', 'list', 'watch'];
const OWN = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const RBAC = 'rbac.authorization.k8s.io';

/**
 * Cluster-wide rules (ClusterRole); `agentName` is the agent's name (chart value agent.name),
 * `operatorName` the name of this very ClusterRole.
 */
export const operatorClusterRules = (agentName: string, operatorName: string): PolicyRule[] => [
  {
    apiGroups: ['sluice.dev'],
    resources: ['logpipelines', 'clusterlogpipelines', 'logoutputs', 'clusterlogoutputs'],
    verbs: READ,
  },
  {
    apiGroups: ['sluice.dev'],
    resources: [
      'logpipelines/status',
      'clusterlogpipelines/status',
      'logoutputs/status',
      'clusterlogoutputs/status',
    ],
    verbs: ['get', 'update', 'patch'],
  },
  { apiGroups: [''], resources: ['secrets'], verbs: READ },
  { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: READ },
  { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  {
    apiGroups: [RBAC],
    resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
    verbs: ['list', 'watch', 'create'],
  },
  {
    apiGroups: [RBAC],
    resources: ['roles', 'rolebindings'],
    resourceNames: [`${agentName}-secrets`, `${agentName}-status`],
    verbs: ['get', 'patch', 'delete'],
  },
  {
    apiGroups: [RBAC],
    resources: ['clusterroles', 'clusterrolebindings'],
    resourceNames: [agentName],
    verbs: ['get', 'patch', 'delete'],
  },
  { apiGroups: [RBAC], resources: ['clusterroles'], resourceNames: [operatorName], verbs: ['get'] },
];

/** Rules in the operator's (and the agents') namespace only (Role). */
export const OPERATOR_NAMESPACE_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'serviceaccounts', 'services'], verbs: OWN },
  { apiGroups: ['apps'], resources: ['daemonsets'], verbs: OWN },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: OWN },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: OWN },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: OWN },
];

/** The operator's ServiceAccount, ClusterRole(+Binding) and Role(+Binding), e.g. for tests. */
export function renderOperatorRbac(
  s: RenderSettings,
  serviceAccount = 'sluice-operator',
): Record<string, unknown>[] {
  // Not the agent objects' labels: those carry managed-by=sluice-operator, which prune selects.
  const l = { 'app.kubernetes.io/name': 'sluice', 'app.kubernetes.io/component': 'operator' };
  const subject = [{ kind: 'ServiceAccount', name: serviceAccount, namespace: s.namespace }];
  const rbac = 'rbac.authorization.k8s.io';
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: serviceAccount, namespace: s.namespace, labels: l },
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRole',
      metadata: { name: serviceAccount, labels: l },
      rules: operatorClusterRules(s.agentName, serviceAccount),
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: serviceAccount, labels: l },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: serviceAccount },
      subjects: subject,
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'Role',
      metadata: { name: serviceAccount, namespace: s.namespace, labels: l },
      rules: OPERATOR_NAMESPACE_RULES,
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'RoleBinding',
      metadata: { name: serviceAccount, namespace: s.namespace, labels: l },
      roleRef: { apiGroup: rbac, kind: 'Role', name: serviceAccount },
      subjects: subject,
    },
  ];
}
